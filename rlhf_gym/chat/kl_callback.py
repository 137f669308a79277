"""The per-token KL penalty of step 3 as an SB3 callback: reward = r - beta * (log pi(a|s) - log pi_SFT(a|s)).

Why a callback that rewrites the rollout buffer, not a reward wrapper: the penalty needs the log-prob
of each token under the *current* policy, which an env wrapper cannot see without reaching into the
agent. PPO already stores exactly that (``rollout_buffer.log_probs``, taken when the token was
sampled, by the policy that is about to be updated), with the observations and actions. So after
each collection the callback evaluates the frozen SFT policy on the buffer's steps, subtracts
``beta`` times the log-ratio from the rewards (the learned reward of the finished reply, put there by
``VecLearnedReward``) and recomputes returns and advantages with the buffer's own
``compute_returns_and_advantage``. PPO itself is unchanged. The sampled log-ratio is the usual
per-token KL estimate of InstructGPT (its mean over the policy's own samples is the KL).
"""

from __future__ import annotations

import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback


def kl_penalty(log_probs: np.ndarray, sft_log_probs: np.ndarray, beta: float) -> np.ndarray:
    """The reward term -beta * (log pi - log pi_SFT), per token (zero where the policy is the SFT policy)."""
    return -beta * (np.asarray(log_probs) - np.asarray(sft_log_probs))


def check_beta(beta) -> float:
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not (np.isfinite(beta) and beta >= 0):
        raise ValueError(f"beta={beta!r}; allowed: a finite number >= 0 (0: no KL penalty)")
    return float(beta)


class KLPenaltyCallback(BaseCallback):
    """Subtracts ``beta * (log pi - log pi_SFT)`` from every collected reward of an on-policy SB3 agent.

    ``kl_history`` holds the mean sampled log-ratio per token of each rollout.
    """

    def __init__(self, sft_policy, beta: float, verbose: int = 0) -> None:
        super().__init__(verbose)
        self.sft_policy = sft_policy
        self.beta = check_beta(beta)
        self.kl_history: list[float] = []

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        buffer = self.model.rollout_buffer
        steps, envs = buffer.rewards.shape
        obs = buffer.observations.reshape(steps * envs, -1)
        actions = torch.as_tensor(buffer.actions.reshape(-1)).long()
        with torch.no_grad():
            obs_t, _ = self.sft_policy.obs_to_tensor(obs)
            sft = self.sft_policy.get_distribution(obs_t).log_prob(actions).numpy().reshape(steps, envs)
        ratio = buffer.log_probs - sft
        self.kl_history.append(float(ratio.mean()))
        if self.beta == 0.0:
            return
        buffer.rewards += kl_penalty(buffer.log_probs, sft, self.beta).astype(buffer.rewards.dtype)
        buffer.compute_returns_and_advantage(last_values=self.locals["values"], dones=self.locals["dones"])
