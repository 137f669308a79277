"""``run_dueling_bandit``: many independent runs of one algorithm on one preference matrix, at once."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rlhf_gym.bandits.ccb import CCB
from rlhf_gym.bandits.instances import validate_preferences
from rlhf_gym.bandits.interleaved_filter import InterleavedFilter
from rlhf_gym.bandits.regret import cumulative_regret
from rlhf_gym.bandits.rmed import RMED1
from rlhf_gym.bandits.rucb import RUCB

ALGORITHMS = {"if2": InterleavedFilter, "rucb": RUCB, "rmed1": RMED1, "ccb": CCB}
ALIASES = {"interleaved_filter": "if2", "if": "if2", "rmed": "rmed1", "copeland_confidence_bound": "ccb"}


@dataclass
class DuelingBanditResult:
    """The duels of ``n_runs`` runs (``first``, ``second``: (n_runs, horizon) arm indices, ``first_won``)
    and their cumulative regret curves (n_runs, horizon), computed on first use (see ``regret.py``)."""

    name: str
    preferences: np.ndarray
    first: np.ndarray
    second: np.ndarray
    first_won: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False)

    def _curve(self, kind: str) -> np.ndarray:
        if kind not in self._cache:
            self._cache[kind] = cumulative_regret(self.preferences, self.first, self.second, kind)
        return self._cache[kind]

    @property
    def strong_regret(self) -> np.ndarray:
        return self._curve("strong")

    @property
    def weak_regret(self) -> np.ndarray:
        return self._curve("weak")

    @property
    def copeland_regret(self) -> np.ndarray:
        return self._curve("copeland")


def _positive_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: got {value!r}; allowed: an integer >= 1")
    return int(value)


def run_dueling_bandit(name: str, preferences, horizon: int, n_runs: int, seed: int) -> DuelingBanditResult:
    """Run algorithm ``name`` (one of ``ALGORITHMS`` or an alias) for ``horizon`` duels in ``n_runs``
    independent runs on the preference matrix ``preferences``; the winners are drawn, and the
    algorithms' own coin flips made, by ``np.random.default_rng(seed)``: the same seed gives the same
    duels and curves."""
    key = ALIASES.get(name, name)
    if key not in ALGORITHMS:
        raise ValueError(f"name: got {name!r}; allowed: one of {sorted(ALGORITHMS) + sorted(ALIASES)}")
    p = validate_preferences(preferences)
    horizon, n_runs = _positive_int("horizon", horizon), _positive_int("n_runs", n_runs)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: got {seed!r}; allowed: an integer >= 0")
    rng = np.random.default_rng(seed)
    algorithm = ALGORITHMS[key](p.shape[0], n_runs, horizon, rng)
    first = np.empty((n_runs, horizon), dtype=np.intp)
    second = np.empty((n_runs, horizon), dtype=np.intp)
    won = np.empty((n_runs, horizon), dtype=bool)
    for t in range(horizon):
        i, j = algorithm.select(t + 1)
        w = rng.random(n_runs) < p[i, j]
        algorithm.update(i, j, w)
        first[:, t], second[:, t], won[:, t] = i, j, w
    return DuelingBanditResult(key, p, first, second, won)
