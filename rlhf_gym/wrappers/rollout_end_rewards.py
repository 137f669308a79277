"""RolloutEndRewards: the SB3 callback that puts a ``VecLearnedReward(at_rollout_end=True)``'s
rewards into an on-policy agent's rollout buffer.

Why after the fact is exact: PPO and A2C use a rollout's rewards only when they update, after the
rollout ends. At that moment the buffer holds reward 0 for every step plus SB3's timeout bootstrap
(gamma * V(last observation), added at truncated episode ends), so adding the learned rewards and
recomputing returns and advantages with the buffer's own ``compute_returns_and_advantage`` gives
the buffer a per-step wrapper would have given, for one reward call per rollout.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import unwrap_vec_wrapper

from rlhf_gym.wrappers.vec_learned_reward import VecLearnedReward


def deferred_wrapper(model) -> VecLearnedReward | None:
    """The agent's VecLearnedReward if it keeps its rewards for the rollout end, else None; an agent
    without a rollout buffer (SAC, DQN: they learn between steps) is refused."""
    wrapper = unwrap_vec_wrapper(model.get_env(), VecLearnedReward)
    if wrapper is None or not wrapper.at_rollout_end:
        return None
    if not isinstance(getattr(model, "rollout_buffer", None), RolloutBuffer):
        raise ValueError(f"VecLearnedReward(at_rollout_end=True) with {type(model).__name__}; allowed: an "
                         "on-policy agent (PPO, A2C); off-policy agents need at_rollout_end=False")
    return wrapper


def add_rollout_rewards(model, wrapper: VecLearnedReward, rollout_locals: dict) -> np.ndarray:
    """Add the rollout's learned rewards to ``model.rollout_buffer`` and recompute its advantages
    (``rollout_locals``: SB3's ``collect_rollouts`` locals at the rollout end). Returns them, (T, n)."""
    buffer = model.rollout_buffer
    rewards = wrapper.rollout_rewards()
    if rewards.shape != buffer.rewards.shape:
        raise RuntimeError(f"VecLearnedReward kept {rewards.shape[0]} steps for a rollout of "
                           f"{buffer.rewards.shape[0]}; a rollout must start with the callback attached")
    buffer.rewards += rewards
    buffer.compute_returns_and_advantage(last_values=rollout_locals["values"], dones=rollout_locals["dones"])
    return rewards


class RolloutEndRewards(BaseCallback):
    """``model.learn(n, callback=RolloutEndRewards())`` for an agent whose env has a
    ``VecLearnedReward(at_rollout_end=True)``; ``PreferenceLearningCallback`` does this itself."""

    def _on_training_start(self) -> None:
        self.wrapper = deferred_wrapper(self.model)
        if self.wrapper is None:
            raise ValueError("RolloutEndRewards: the agent's env has no VecLearnedReward(at_rollout_end=True); "
                             "allowed: model = PPO(..., env=VecLearnedReward(venv, reward_fn, at_rollout_end=True))")

    def _on_rollout_start(self) -> None:
        self.wrapper.forget_kept()

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        add_rollout_rewards(self.model, self.wrapper, self.locals)
