"""The TAMER agent: a linear model Ĥ(s, a) of the trainer's reinforcement, and greedy play on it.

Why: TAMER (Knox & Stone 2009) treats a person's +/- signals as direct labels of the moves just
made, not as a reward to be maximised over time: it regresses Ĥ(s, a) on the signals and plays
argmax_a Ĥ(s, a) -- no discounting, no environment reward, so it is good from the first few
signals. A signal arriving at time t is spread over the recent steps by ``credit.step_credit``
and each credited step i moves the weights by ``w += α c_i (h - Ĥ(x_i)) x_i`` (incremental
least squares, one credited step after another).

Time: step i of an episode is shown at ``t_i = i * seconds_per_step`` (the env's frame period,
``1 / metadata["render_fps"]``, unless given). Ties among equal Ĥ -- every move at the start,
when w = 0 -- are broken uniformly with the caller's generator. Only the actions of the feature
family's mask (Tetris: one per distinct placement) are chosen.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from rlhf_gym.algorithms.tamer.credit import UniformDelay, step_credit

WEIGHTS_FILE = "tamer_weights.npz"


def seconds_per_step_of(env, seconds_per_step: float | None = None) -> float:
    """``seconds_per_step`` if given, else ``1 / env.metadata["render_fps"]``; a clear error when neither exists."""
    if seconds_per_step is not None:
        if isinstance(seconds_per_step, bool) or not isinstance(seconds_per_step, (int, float, np.integer, np.floating)) \
                or not math.isfinite(seconds_per_step) or seconds_per_step <= 0:
            raise ValueError(f"seconds_per_step: {seconds_per_step!r}; allowed: a finite number > 0, or None for "
                             "1 / the env's metadata['render_fps']")
        return float(seconds_per_step)
    fps = (getattr(env.unwrapped, "metadata", None) or {}).get("render_fps")
    if not fps or not isinstance(fps, (int, float)) or fps <= 0:
        raise ValueError(f"seconds_per_step: None and the env has no metadata['render_fps'] ({fps!r}); "
                         "allowed: a number > 0 (seconds each step is shown to the trainer)")
    return 1.0 / float(fps)


class TamerAgent:
    """Ĥ(s, a) = w · x(s, a) over a feature family (``features.features_for``), trained by delayed signals."""

    def __init__(self, features, seconds_per_step: float, rng: np.random.Generator,
                 learning_rate: float | None = None, delay=None) -> None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng: {type(rng).__name__}; allowed: a numpy Generator (np.random.default_rng(seed))")
        lr = features.default_learning_rate if learning_rate is None else learning_rate
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
                or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"learning_rate: {learning_rate!r}; allowed: a finite number > 0 "
                             f"(default for {features.name}: {features.default_learning_rate})")
        self.features = features
        if seconds_per_step is None:
            raise ValueError("seconds_per_step: None; allowed: a finite number > 0 (seconds_per_step_of(env) reads "
                             "the env's frame rate)")
        self.seconds_per_step = seconds_per_step_of(None, seconds_per_step)
        self.rng = rng
        self.learning_rate = float(lr)
        self.delay = UniformDelay() if delay is None else delay
        self.weights = np.zeros(features.n_features)
        self.updates = 0
        self._history: list[np.ndarray] = []

    # ------------------------------------------------------------------ acting
    def scores(self, env, obs):
        """(Ĥ of every action, mask) in the env's current state."""
        x, mask = self.features(env, obs)
        return x @ self.weights, mask, x

    def choose(self, scores: np.ndarray, mask: np.ndarray, rng: np.random.Generator | None = None) -> int:
        """The masked action with the highest Ĥ; ties uniformly with ``rng`` (the agent's own by default)."""
        masked = np.where(mask, scores, -np.inf)
        top = masked.max()
        best = np.flatnonzero(masked >= top - 1e-12 * max(1.0, abs(top)))
        return int(best[0]) if len(best) == 1 else int((rng or self.rng).choice(best))

    def act(self, env, obs) -> int:
        """Choose the greedy action and remember its features as the episode's next step."""
        scores, mask, x = self.scores(env, obs)
        action = self.choose(scores, mask)
        self._history.append(x[action].copy())
        return action

    def actor(self, env, rng: np.random.Generator):
        """``act(obs) -> action`` for evaluation on ``env``: greedy on Ĥ, no learning, ties with ``rng``."""

        def act(obs):
            scores, mask, _ = self.scores(env, obs)
            return self.choose(scores, mask, rng)

        return act

    # ------------------------------------------------------------------ learning
    def begin_episode(self) -> None:
        """Forget the previous episode's steps (its signals were all delivered at its end)."""
        self._history = []

    @property
    def n_steps(self) -> int:
        """Steps taken (shown) so far this episode."""
        return len(self._history)

    def step_time(self, step: int) -> float:
        """When step ``step`` of the episode is first shown, in seconds."""
        return step * self.seconds_per_step

    def give(self, signal_time: float, value: float) -> int:
        """Learn from a signal ``value`` (+1 / -1, or any number) that arrived at ``signal_time``.

        Returns how many steps it was credited to (0 when it came before any step was shown).
        """
        if not math.isfinite(value):
            raise ValueError(f"value: {value!r}; allowed: a finite number (+1 good, -1 bad)")
        steps, credits = step_credit(signal_time, self.n_steps, self.seconds_per_step, self.delay)
        for step, credit in zip(steps, credits):
            x = self._history[step]
            self.weights += self.learning_rate * credit * (value - x @ self.weights) * x
        self.updates += len(steps)
        return len(steps)

    # ------------------------------------------------------------------ files
    def config(self) -> dict:
        return {"features": self.features.name, "n_features": self.features.n_features,
                "learning_rate": self.learning_rate, "seconds_per_step": self.seconds_per_step,
                "delay": {"kind": type(self.delay).__name__, "low": self.delay.low, "high": self.delay.high}}

    def save(self, directory: str | Path) -> Path:
        """Write ``tamer_weights.npz`` (weights, feature names; no pickles) and ``tamer_config.json``."""
        directory = Path(directory)
        path = directory / WEIGHTS_FILE
        with open(path, "wb") as handle:
            np.savez(handle, weights=self.weights, feature_names=np.array(self.features.feature_names))
        (directory / "tamer_config.json").write_text(json.dumps(self.config(), indent=2) + "\n")
        return path

    def load_weights(self, path: str | Path) -> None:
        """Read weights saved by :meth:`save`; the feature names must match this agent's."""
        with np.load(path, allow_pickle=False) as data:
            weights, names = data["weights"], tuple(str(n) for n in data["feature_names"])
        if names != tuple(self.features.feature_names) or weights.shape != self.weights.shape:
            raise ValueError(f"{path}: weights of {len(names)} features ({names[:3]}...); allowed: weights of this "
                             f"agent's {self.features.n_features} {self.features.name} features")
        self.weights = weights.astype(np.float64)


__all__ = ["WEIGHTS_FILE", "TamerAgent", "seconds_per_step_of"]
