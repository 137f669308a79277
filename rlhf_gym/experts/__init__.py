"""Experts for every rlhf_gym env, with the SB3 policy call ``predict``.

``expert_for(env)`` looks at ``env.unwrapped`` and returns value iteration's
optimal policy for tabular envs (``rlhf_gym.planning.optimal_policy``, a ``TabularPolicy``),
the scripted controllers for Backflip and CartPole (stock or fixed-horizon) and Dellacherie's afterstate player for Tetris, the best pair for dueling bandits and
the labeller's ideal reply for ChatResponse.
"""

from __future__ import annotations

import gymnasium as gym


def expert_for(env: gym.Env):
    """Return an expert for ``env`` (a gymnasium env, wrapped or not).

    The expert has ``predict(obs, state=None, episode_start=None,
    deterministic=True) -> (actions, state)`` over a batch of observations.
    """
    base = env.unwrapped
    from rlhf_gym.envs.backflip import BackflipEnv
    from rlhf_gym.envs.gridworld import GridWorldEnv

    if isinstance(base, GridWorldEnv):
        from rlhf_gym.planning import optimal_policy

        return optimal_policy(base)
    if isinstance(base, BackflipEnv):
        from rlhf_gym.experts.backflip_controller import BackflipExpert

        return BackflipExpert(base)
    from gymnasium.envs.classic_control.cartpole import CartPoleEnv

    if isinstance(base, CartPoleEnv):
        from rlhf_gym.experts.cartpole_controller import CartPoleExpert

        return CartPoleExpert()
    from rlhf_gym.envs.tetris import TetrisEnv

    if isinstance(base, TetrisEnv):
        from rlhf_gym.experts.tetris import TetrisExpert

        return TetrisExpert(base)
    from rlhf_gym.envs.dueling_bandit import DuelingBanditEnv

    if isinstance(base, DuelingBanditEnv):
        from rlhf_gym.bandits.expert import BestPairExpert

        return BestPairExpert(base)
    from rlhf_gym.envs.chat import ChatExpert, ChatResponseEnv

    if isinstance(base, ChatResponseEnv):
        return ChatExpert(base)
    raise ValueError(
        f"expert_for: no built-in expert for env {type(base).__name__!r}; "
        "allowed: rlhf_gym GridWorld-family envs, Backflip, CartPole, Tetris, DuelingBandit and ChatResponse. For other envs pass a "
        "trained SB3 model (anything with predict) as the expert."
    )


__all__ = ["expert_for"]
