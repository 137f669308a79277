"""Why an RLHF run did or did not learn: the learned reward against the true one, while training.

Why: a reward model can rank its held-out pairs well and still mislead the agent - by pricing
events out of proportion (a crash against a half-turn of spin), or by knowing nothing about
states the labels never showed. ``RewardDiagnostics`` logs, during ``model.learn()``, the
correlation of learned and true reward on the agent's own transitions and the agent's true
return; ``event_ratios`` measures, after training, the learned ÷ true reward per event type.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback


class RewardDiagnostics(BaseCallback):
    """Every ``every`` steps, record (step, labels, held-out accuracy, Pearson r of learned vs true
    reward on the transitions since the last record, the learned reward's std there, the model's raw
    output scale, mean true return of recent episodes)."""

    def __init__(self, preference_callback, every: int = 20_000):
        super().__init__()
        self.pref, self.every = preference_callback, int(every)
        self.rows: list[dict] = []
        self._true: list[np.ndarray] = []
        self._learned: list[np.ndarray] = []
        self._step_learned: list[np.ndarray] = []
        self._last = -np.inf

    def _on_training_start(self) -> None:
        self.pref.wrapper.add_listener(self._on_transition)

    def _on_training_end(self) -> None:
        self.pref.wrapper.remove_listener(self._on_transition)

    def _on_transition(self, obs, actions, next_obs, true_rewards, learned, dones, terminated) -> None:
        self._true.append(np.asarray(true_rewards, dtype=float))
        if learned is not None:
            self._step_learned.append(np.asarray(learned, dtype=float))

    def _on_step(self) -> bool:
        return True

    def _raw_scale(self) -> float:
        """The reward model's output divisor: growing means its raw outputs (and extrapolations) grow."""
        model = getattr(self.pref, "reward_model", None)
        return float(model.net.out_std.mean()) if model is not None else float("nan")

    def _on_rollout_end(self) -> None:
        # The rollout's learned rewards: as the steps returned them, or - when the wrapper gives them at
        # the rollout end - as the preference callback (which runs first) put them into the agent's buffer.
        if self._step_learned:
            self._learned.append(np.concatenate(self._step_learned))
        elif self._true:
            self._learned.append(np.asarray(self.pref.rollout_learned, dtype=float).reshape(-1))
        self._step_learned = []
        if self.num_timesteps - self._last < self.every or not self._true:
            return
        t, lr = np.concatenate(self._true), np.concatenate(self._learned)
        r = float(np.corrcoef(t, lr)[0, 1]) if t.std() > 0 and lr.std() > 0 else float("nan")
        returns = self.pref.episode_true_returns[-16:]
        self.rows.append({"step": int(self.num_timesteps), "labels": len(self.pref.labels),
                          "val_accuracy": float(self.pref.metrics.get("val_accuracy", float("nan"))),
                          "reward_pearson": r, "learned_std": float(lr.std()),
                          "raw_scale": self._raw_scale(), "true_return": float(np.mean(returns)) if returns else float("nan")})
        self._true, self._learned, self._last = [], [], self.num_timesteps


def event_ratios(reward_model, obs, actions, next_obs, true_rewards, events: dict[str, np.ndarray]) -> dict[str, float]:
    """Per event mask: mean (learned - median learned) / mean true reward over the event's steps.

    1.0 everywhere means every event is priced as the truth prices it, up to one common scale
    (the learned reward's zero is arbitrary, so it is measured from its median step)."""
    learned = np.asarray(reward_model(obs, actions, next_obs), dtype=float)
    base = float(np.median(learned))
    true_rewards = np.asarray(true_rewards, dtype=float)
    out = {}
    for name, mask in events.items():
        mask = np.asarray(mask, dtype=bool)
        out[name] = float((learned[mask] - base).mean() / true_rewards[mask].mean()) if mask.any() else float("nan")
    return out
