"""``CascadeUser``: a simulated searcher who reads a result list top-down (the cascade / dependent
click model; Craswell et al. 2008, Guo et al. 2009).

Why this user: it is the model under which interleaving was validated in simulation (Hofmann,
Whiteson & de Rijke 2011). At each rank the user clicks with a probability set by the document's
relevance grade; after a click they stop with a probability also set by the grade (a good result
satisfies), otherwise they read on; without a click they read on. The list ends the session.

The named users are the 5-grade click models used with interleaving in the literature (Hofmann et
al. 2011/2013; Oosterhuis & de Rijke 2018): ``perfect`` (clicks follow relevance, never stops),
``navigational`` (looks for one good answer), ``informational`` (clicks a lot, noisy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlhf_gym.interleaving import checks

CLICK_MODELS = {  # grade 0..4: (P(click | examined), P(stop | clicked))
    "perfect": ((0.0, 0.2, 0.4, 0.8, 1.0), (0.0, 0.0, 0.0, 0.0, 0.0)),
    "navigational": ((0.05, 0.3, 0.5, 0.7, 0.95), (0.2, 0.3, 0.5, 0.7, 0.9)),
    "informational": ((0.4, 0.6, 0.7, 0.8, 0.9), (0.1, 0.2, 0.3, 0.4, 0.5)),
}


def _per_grade(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim != 1 or array.size == 0 or not np.isfinite(array).all() \
            or (array < 0).any() or (array > 1).any():
        raise ValueError(f"{name}: got {value!r}; allowed: a 1-D sequence of probabilities in [0, 1], one per grade")
    return array


@dataclass(frozen=True, init=False)
class CascadeUser:
    """``click_prob[g]``: P(click) on an examined document of grade g; ``stop_prob[g]``: P(stop) after
    clicking it (a number applies to every grade). ``CascadeUser.named("navigational")`` for the
    literature's users."""

    click_prob: np.ndarray
    stop_prob: np.ndarray

    def __init__(self, click_prob, stop_prob=0.0) -> None:
        click = _per_grade("click_prob", click_prob)
        if np.ndim(stop_prob) == 0:
            stop = np.full(click.size, checks.probability("stop_prob", stop_prob))
        else:
            stop = _per_grade("stop_prob", stop_prob)
            if stop.size != click.size:
                raise ValueError(f"stop_prob: got {stop.size} grades; allowed: one per grade of click_prob "
                                 f"({click.size}) or a single number")
        object.__setattr__(self, "click_prob", click)
        object.__setattr__(self, "stop_prob", stop)

    @classmethod
    def named(cls, name: str) -> "CascadeUser":
        """One of ``CLICK_MODELS``: "perfect", "navigational", "informational"."""
        checks.choice("name", name, CLICK_MODELS)
        return cls(*CLICK_MODELS[name])

    @property
    def n_grades(self) -> int:
        return self.click_prob.size

    def _grades(self, grades) -> np.ndarray:
        array = np.asarray(grades)
        if array.ndim < 1 or array.dtype == bool or not np.issubdtype(array.dtype, np.integer) \
                or (array < 0).any() or (array >= self.n_grades).any():
            raise ValueError(f"grades: got {grades!r}; allowed: an integer array (..., L) of grades "
                             f"0..{self.n_grades - 1}, one per shown rank")
        return array

    def click_probabilities(self, grades) -> np.ndarray:
        """Analytic P(click at each rank) for lists of ``grades`` (..., L): rank i is examined unless a
        click above stopped the user, ``P(examine i) = prod_{j<i} (1 - c_j s_j)``, and clicked w.p. ``c_i``."""
        grades = self._grades(grades)
        c, s = self.click_prob[grades], self.stop_prob[grades]
        go_on = np.cumprod(1.0 - c * s, axis=-1)
        examined = np.concatenate([np.ones_like(go_on[..., :1]), go_on[..., :-1]], axis=-1)
        return examined * c

    def clicks(self, grades, rng: np.random.Generator) -> np.ndarray:
        """Sampled clicks (bool, same shape as ``grades`` (..., L)): every session in one numpy pass."""
        grades = self._grades(grades)
        rng = checks.generator("rng", rng)
        c, s = self.click_prob[grades], self.stop_prob[grades]
        attracted = rng.random(grades.shape) < c
        stopped = attracted & (rng.random(grades.shape) < s)
        before = np.cumsum(stopped, axis=-1) - stopped  # stops strictly above each rank
        return attracted & (before == 0)

    def pattern_probabilities(self, grades) -> np.ndarray:
        """Exact P(click vector = pattern) for every pattern of ``all_patterns(L)``, for lists of
        ``grades`` (..., L): (..., 2**L). Built rank by rank over click prefixes: a prefix's mass is
        either still reading (a click there continues w.p. 1 - s) or stopped (no later clicks)."""
        grades = self._grades(grades)
        c, s = self.click_prob[grades], self.stop_prob[grades]
        reading = np.ones(grades.shape[:-1] + (1,))
        stopped = np.zeros_like(reading)
        for i in range(grades.shape[-1]):
            ci, si = c[..., i:i + 1], s[..., i:i + 1]
            clicked = reading * ci
            reading, stopped = (np.stack([reading * (1 - ci), clicked * (1 - si)], axis=-1),
                                np.stack([stopped, clicked * si], axis=-1))
            reading = reading.reshape(reading.shape[:-2] + (-1,))
            stopped = stopped.reshape(stopped.shape[:-2] + (-1,))
        return reading + stopped


def all_patterns(length: int) -> np.ndarray:
    """Every click vector of a list of ``length`` ranks: a (2**length, length) bool array."""
    length = checks.positive_int("length", length)
    if length > 14:
        raise ValueError(f"length: got {length}; allowed: 1..14 (2**length click vectors are enumerated)")
    return ((np.arange(2 ** length)[:, None] >> np.arange(length)[::-1]) & 1).astype(bool)
