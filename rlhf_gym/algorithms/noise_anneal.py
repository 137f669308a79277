"""NoiseAnneal: lower a Gaussian policy's action noise once the reward stops changing.

Why: PPO and A2C learn a mean action and a log std; evaluation (SB3's ``deterministic=True``)
acts with the mean alone. A policy that learned with wide noise can succeed in most sampled
episodes and fail in every deterministic one (on Backflip, a saved agent: 0.95 sampled against
0.10 deterministic) — the mean action was never what it trained with. Capping the log std so
that it falls linearly to ``final_log_std`` over the last part of training makes the agent
learn to succeed with little noise, so its mean action is close to what it practised.
"""

from __future__ import annotations

import torch
from stable_baselines3.common.callbacks import BaseCallback

LOG_STD_RANGE = (-20.0, 2.0)  # SB3's own clamp for state-dependent log stds; wider makes no sense here


class NoiseAnneal(BaseCallback):
    """Caps ``policy.log_std`` by a line from its value at ``start`` (a share of the ``learn()`` call)
    down to ``final_log_std`` at the end; PPO may still lower it further, never raise it past the cap."""

    def __init__(self, final_log_std: float, start: float = 0.5, verbose: int = 0):
        super().__init__(verbose)
        if isinstance(final_log_std, bool) or not isinstance(final_log_std, (int, float)) \
                or not LOG_STD_RANGE[0] <= final_log_std <= LOG_STD_RANGE[1]:
            raise ValueError(f"NoiseAnneal: final_log_std={final_log_std!r}; allowed: a float in "
                             f"[{LOG_STD_RANGE[0]:g}, {LOG_STD_RANGE[1]:g}]")
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0.0 <= start < 1.0:
            raise ValueError(f"NoiseAnneal: start={start!r}; allowed: a float in [0, 1)")
        self.final_log_std, self.start = float(final_log_std), float(start)
        self._from = None

    def _on_training_start(self) -> None:
        log_std = getattr(self.model.policy, "log_std", None)
        if not isinstance(log_std, torch.nn.Parameter):
            raise ValueError(f"NoiseAnneal: {type(self.model).__name__}'s policy has no state-independent log_std; "
                             "allowed: PPO or A2C on a Box action space without gSDE")
        self._first = int(self.model.num_timesteps)
        self._total = max(int(getattr(self.model, "_total_timesteps", 0)) - self._first, 1)

    def _on_rollout_start(self) -> None:
        progress = (self.model.num_timesteps - self._first) / self._total
        if progress < self.start:
            return
        log_std = self.model.policy.log_std
        if self._from is None:
            self._from = log_std.detach().clone()
        share = min(1.0, (progress - self.start) / (1.0 - self.start))
        cap = self._from + (self.final_log_std - self._from) * share
        with torch.no_grad():
            log_std.copy_(torch.minimum(log_std, cap))

    def _on_step(self) -> bool:
        return True
