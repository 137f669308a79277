"""A simulated person who watches an agent play and presses + or - now and then, a little late.

Why: TAMER (Knox & Stone 2009) learns from a person's +/- key presses; tests and baselines need a
stand-in whose judgement is known. After each move the simulated trainer, with probability
``feedback_probability``, rates it with a *judge* (+1 good, -1 bad), flips the sign with
probability ``error_rate`` (a slip of the finger or of attention), and presses the key
``delay`` seconds after the move was first shown, ``delay`` uniform on [``delay_low``,
``delay_high``] (about 0.2-4 s, as Knox & Stone measured). The learner gets only ``(time, value)``
and must work out which move was meant. Every draw uses the caller's generator.

Judges (``judge_for(env)``; each is ``good(env, obs, action) -> bool``, asked before the move is made):

- ``TetrisJudge``: Dellacherie's evaluation of the chosen afterstate (``rlhf_gym.experts.tetris``)
  against the best legal placement: good when within ``margin`` of the best, or among the
  ``top_k`` best distinct placements.
- ``OptimalActionJudge`` (tabular envs such as the GridWorld family): good when the action is
  optimal under the exact finite-horizon Q values (``planning.solve_env``, the longest-horizon
  table, as ``planning.optimal_policy`` uses).
- ``ExpertJudge`` (any env ``experts.expert_for`` knows): good when the action is the expert's.

A trainer, simulated or a person at a keyboard, is ``begin_episode()``, ``watch(env, obs, action,
time)`` (the move is shown from ``time`` on) and ``signals(until)`` (the ``Signal``s that arrived
before ``until`` seconds, all pending ones when ``until`` is None), in time order.
"""

from __future__ import annotations

import heapq
import math
from typing import NamedTuple

import numpy as np


class Signal(NamedTuple):
    """One key press: ``time`` in seconds since the episode's first step was shown, ``value`` +1 or -1."""

    time: float
    value: float


def _number(name: str, value, low: float, high: float, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name}: {value!r}; allowed: {allowed}")
    return float(value)


# --------------------------------------------------------------------------- judges
class TetrisJudge:
    """Good when the placement's Dellacherie value is within ``margin`` of the best or in the ``top_k`` best."""

    def __init__(self, margin: float = 1.0, top_k: int = 1, weights: dict | None = None) -> None:
        from rlhf_gym.experts.tetris import DELLACHERIE, weight_vector

        self.margin = _number("margin", margin, 0.0, math.inf, "a finite number >= 0")
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
            raise ValueError(f"top_k: {top_k!r}; allowed: an int >= 1")
        self.top_k = int(top_k)
        self.w = weight_vector(DELLACHERIE if weights is None else weights)

    def good(self, env, obs, action: int) -> bool:
        features, _, mask = env.unwrapped.afterstates()
        values = features @ self.w
        legal = values[mask]
        value = values[action]
        rank = int((legal > value + 1e-9).sum())  # distinct placements strictly better
        return bool(value >= legal.max() - self.margin or rank < self.top_k)


class OptimalActionJudge:
    """Good when the action is optimal under the env's exact Q values (ties: every optimal action is good)."""

    def __init__(self, env) -> None:
        from rlhf_gym.planning import solve_env

        self.base = env.unwrapped
        plan = solve_env(self.base, keep_q=True)
        self.q = plan.q[0]  # (S, A): the longest remaining horizon, the table optimal_policy acts on

    def good(self, env, obs, action: int) -> bool:
        state = int(np.asarray(self.base.state_from_obs(obs)).reshape(()))
        row = self.q[state]
        return bool(row[action] >= row.max() - 1e-9 * max(1.0, abs(row.max())))


class ExpertJudge:
    """Good when the action equals the expert's (anything with SB3's ``predict``)."""

    def __init__(self, expert) -> None:
        self.expert = expert

    def good(self, env, obs, action: int) -> bool:
        expert_action, _ = self.expert.predict(obs, deterministic=True)
        return bool(np.array_equal(np.asarray(expert_action).reshape(-1), np.asarray(action).reshape(-1)))


def judge_for(env):
    """The judge of ``env`` (wrapped or not): Tetris, tabular (exact Q), or its built-in expert."""
    from rlhf_gym.envs.tetris import TetrisEnv

    base = env.unwrapped
    if isinstance(base, TetrisEnv):
        return TetrisJudge()
    if all(hasattr(base, name) for name in ("n_states", "transition_sparse", "state_from_obs", "horizon")):
        return OptimalActionJudge(env)
    from rlhf_gym.experts import expert_for

    try:
        return ExpertJudge(expert_for(env))
    except ValueError:
        spec = getattr(env, "spec", None)
        raise ValueError(f"trainer: no simulated trainer for {spec.id if spec else type(base).__name__}; allowed: "
                         "Tetris, tabular envs (the GridWorld family) and envs with a built-in expert "
                         "(rlhf_gym.experts.expert_for)") from None


# --------------------------------------------------------------------------- the trainer
class SimulatedTrainer:
    """Watches moves and sends delayed, noisy +/- signals (see the module docstring)."""

    def __init__(self, judge, rng: np.random.Generator, feedback_probability: float = 1.0, error_rate: float = 0.0,
                 delay_low: float = 0.2, delay_high: float = 4.0) -> None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng: {type(rng).__name__}; allowed: a numpy Generator (np.random.default_rng(seed))")
        self.judge = judge
        self.rng = rng
        self.feedback_probability = _number("feedback_probability", feedback_probability, 0.0, 1.0,
                                            "a number in [0, 1]")
        self.error_rate = _number("error_rate", error_rate, 0.0, 1.0, "a number in [0, 1]")
        self.delay_low = _number("delay_low", delay_low, 0.0, math.inf, "a finite number >= 0 (seconds)")
        self.delay_high = _number("delay_high", delay_high, self.delay_low, math.inf,
                                  f"a finite number >= delay_low={self.delay_low} (seconds)")
        self.given = 0  # signals sent in all
        self._pending: list[tuple[float, int, float]] = []
        self._count = 0

    def begin_episode(self) -> None:
        """A new episode restarts the clock; nothing is left pending (``signals(None)`` drains it)."""
        if self._pending:
            raise RuntimeError("SimulatedTrainer.begin_episode: signals of the last episode are still pending; "
                               "call signals(None) at the end of each episode")

    def watch(self, env, obs, action: int, time: float) -> None:
        """The move ``action`` in the env's current state (before ``env.step``) is shown from ``time`` on."""
        if self.rng.random() >= self.feedback_probability:
            return
        value = 1.0 if self.judge.good(env, obs, int(action)) else -1.0
        if self.rng.random() < self.error_rate:
            value = -value
        delay = self.rng.uniform(self.delay_low, self.delay_high) if self.delay_high > self.delay_low else self.delay_low
        heapq.heappush(self._pending, (float(time) + delay, self._count, value))
        self._count += 1
        self.given += 1

    def signals(self, until: float | None = None) -> list[Signal]:
        """The signals that arrived before ``until`` seconds (all pending when None), earliest first."""
        out = []
        while self._pending and (until is None or self._pending[0][0] < until):
            time, _, value = heapq.heappop(self._pending)
            out.append(Signal(time, value))
        return out


__all__ = ["ExpertJudge", "OptimalActionJudge", "Signal", "SimulatedTrainer", "TetrisJudge", "judge_for"]
