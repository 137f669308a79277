"""TAMER's credit assignment: which recent steps a delayed +/- signal was about, and how much.

Why: a person presses a key some time after seeing a move, and by then the agent has already made
the next few. Knox & Stone (2009) model the delay as a random variable (uniform over about
0.2-4 s) and credit a signal arriving at time ``t`` to step ``i`` -- shown on screen during
``[t_i, t_{i+1})`` -- with the probability that the delay put it there::

    c_i = P(delay in [t - t_{i+1}, t - t_i]) = F(t - t_i) - F(t - t_{i+1})

where ``F`` is the delay's CDF. Steps whose display window does not overlap ``[t - high, t - low]``
get nothing; when every moment of that interval was covered by some step the credits sum to 1.
Step ``i`` is shown at ``t_i = i * seconds_per_step`` (the env's frame period).

A delay model is anything with ``low``, ``high`` (the support) and ``cdf(seconds)``; a new one (a
gamma, say) is one small class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: {value!r}; allowed: a finite number > 0")
    return float(value)


@dataclass(frozen=True)
class UniformDelay:
    """A delay uniform on ``[low, high]`` seconds (Knox & Stone: about 0.2 to 4 s)."""

    low: float = 0.2
    high: float = 4.0

    def __post_init__(self):
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value) or value < 0:
                raise ValueError(f"UniformDelay.{name}: {value!r}; allowed: a finite number >= 0")
        if not self.high > self.low:
            raise ValueError(f"UniformDelay: high={self.high!r} with low={self.low!r}; allowed: high > low")

    def cdf(self, seconds) -> np.ndarray:
        """P(delay <= seconds), element-wise."""
        return np.clip((np.asarray(seconds, dtype=np.float64) - self.low) / (self.high - self.low), 0.0, 1.0)

    def sample(self, rng: np.random.Generator) -> float:
        """One delay in seconds, drawn with the caller's generator."""
        return float(rng.uniform(self.low, self.high))


def step_credit(signal_time: float, n_steps: int, seconds_per_step: float, delay=UniformDelay()):
    """Credit of a signal that arrived at ``signal_time`` over steps ``0 .. n_steps - 1``.

    Returns ``(steps, credits)``: the steps whose display window ``[i dt, (i + 1) dt)`` overlaps
    ``[signal_time - delay.high, signal_time - delay.low]`` by a positive length, in increasing
    order, and their credits (positive; summing to 1 when those steps cover the whole interval).
    """
    dt = _positive("seconds_per_step", seconds_per_step)
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps: {n_steps!r}; allowed: an int >= 0")
    if isinstance(signal_time, bool) or not isinstance(signal_time, (int, float, np.integer, np.floating)) \
            or not math.isfinite(signal_time) or signal_time < 0:
        raise ValueError(f"signal_time: {signal_time!r}; allowed: a finite number >= 0 (seconds since the "
                         "episode's first step was shown)")
    first = max(0, math.floor((signal_time - delay.high) / dt))
    last = min(n_steps - 1, math.ceil((signal_time - delay.low) / dt))
    if last < first:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    steps = np.arange(first, last + 1)
    credits = delay.cdf(signal_time - steps * dt) - delay.cdf(signal_time - (steps + 1) * dt)
    keep = credits > 1e-12
    return steps[keep], credits[keep]


__all__ = ["UniformDelay", "step_credit"]
