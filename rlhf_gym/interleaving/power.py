"""How many sessions a method needs to pick the better of two rankers with 95% confidence.

Definition (the one ``sessions_needed`` computes): the smallest n on a geometric grid (steps of
``step``) such that, in at least ``confidence`` (95%) of ``repeats`` independent experiments of n
sessions, a one-sided test at level ``alpha`` (5%) on those sessions concludes that the truly better
ranker is better. Interleaving: an exact binomial sign test on the sessions one ranker won (ties
dropped). A/B: a one-sided Welch z-test on the difference of the two arms' mean metric, the n
sessions split evenly between the arms. So "n sessions" is the total number of user sessions
either way, and a method whose metric points the wrong way never gets there (``n`` is None).

Why the experiments are drawn, not re-simulated: a session's outcome has a small support, so n
sessions are n draws from its exact distribution (``outcomes.exact_distribution``): counts of each
value ~ Multinomial. Each of the ``repeats`` experiments is one stream of sessions, observed at
every grid point (its counts grow by Multinomial increments), as an experimenter would watch it;
the cost does not grow with n. ``normal_n`` is the textbook approximation
``((z_{1-alpha} + z_{confidence}) * sd / delta)^2`` for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from rlhf_gym.interleaving import checks
from rlhf_gym.interleaving.outcomes import OutcomeDistribution


@dataclass(frozen=True)
class SessionsNeeded:
    """``n``: sessions needed (None if not reached by ``n_max``); ``grid``/``power``: the fraction of
    experiments that picked the better ranker at each n tried; ``delta``, ``sd``: the per-session
    advantage of the better ranker and its standard deviation (A/B: of the difference of two sessions,
    one per arm); ``normal_n``: the normal approximation (inf when delta <= 0)."""

    method: str
    n: int | None
    grid: np.ndarray
    power: np.ndarray
    delta: float
    sd: float
    normal_n: float


def _grid(n_min: int, n_max: int, step: float, even: bool) -> np.ndarray:
    count = int(np.ceil(np.log(n_max / n_min) / np.log(step))) + 1
    grid = np.round(n_min * step ** np.arange(count)).astype(np.int64)
    if even:
        grid = 2 * np.ceil(grid / 2).astype(np.int64)
    return np.unique(np.minimum(grid, n_max))


def sessions_needed(distribution: OutcomeDistribution, rng: np.random.Generator, alpha: float = 0.05,
                    confidence: float = 0.95, repeats: int = 2000, n_min: int = 10, n_max: int = 10_000_000,
                    step: float = 1.05) -> SessionsNeeded:
    """Sessions needed under ``distribution`` (see the module docstring for the definition)."""
    if not isinstance(distribution, OutcomeDistribution):
        raise ValueError(f"distribution: got {type(distribution).__name__}; allowed: an OutcomeDistribution "
                         "(outcomes.exact_distribution)")
    rng = checks.generator("rng", rng)
    alpha = checks.probability("alpha", alpha, low_open=True, high_open=True)
    confidence = checks.probability("confidence", confidence, low_open=True, high_open=True)
    repeats = checks.positive_int("repeats", repeats)
    n_min = checks.positive_int("n_min", n_min, 2)
    n_max = checks.positive_int("n_max", n_max, n_min)
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not 1.0 < step <= 10.0:
        raise ValueError(f"step: got {step!r}; allowed: a number in (1, 10]")
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(confidence)
    ab = distribution.worse is not None
    values, delta = distribution.values, distribution.delta
    if ab:
        variance = distribution.moments(distribution.better)[1] + distribution.moments(distribution.worse)[1]
        normal_n = 2 * (z ** 2) * variance / delta ** 2 if delta > 0 else np.inf  # n/2 sessions per arm
        arms = (distribution.better, distribution.worse)
    else:
        variance = distribution.moments(distribution.better)[1]
        normal_n = (z ** 2) * variance / delta ** 2 if delta > 0 else np.inf
        arms = (distribution.better,)
    grid = _grid(n_min, n_max, step, even=ab)
    counts = [np.zeros((repeats, values.size), dtype=np.int64) for _ in arms]
    seen, powers, found = 0, [], None
    for n in grid:
        per_arm = n // 2 if ab else n
        for count, probs in zip(counts, arms):
            count += rng.multinomial(per_arm - seen, probs / probs.sum(), size=repeats)
        seen = per_arm
        if ab:
            picked = _ab_test(counts, values, alpha, distribution.higher_is_better)
        else:
            picked = _sign_test(counts[0], values, alpha)
        powers.append(picked.mean())
        if powers[-1] >= confidence:
            found = int(n)
            break
    return SessionsNeeded(distribution.method, found, grid[:len(powers)], np.array(powers), float(delta),
                          float(np.sqrt(variance)), float(normal_n))


def _sign_test(counts: np.ndarray, values: np.ndarray, alpha: float) -> np.ndarray:
    """Per experiment: does the exact one-sided sign test reject "the worse ranker wins at least half"?"""
    wins, losses = counts[:, values == 1].sum(axis=1), counts[:, values == -1].sum(axis=1)
    p_value = stats.binom.sf(wins - 1, wins + losses, 0.5)
    return (wins + losses > 0) & (p_value <= alpha)


def _ab_test(counts: list[np.ndarray], values: np.ndarray, alpha: float, higher_is_better: bool) -> np.ndarray:
    """Per experiment: does a one-sided Welch z-test find the better arm's metric better at level alpha?"""
    means, variances = [], []
    for count in counts:
        n = count.sum(axis=1)
        mean = count @ values / n
        means.append(mean)
        variances.append((count @ values ** 2 - n * mean ** 2) / np.maximum(n - 1, 1) / n)
    gap = means[0] - means[1] if higher_is_better else means[1] - means[0]
    se = np.sqrt(np.maximum(variances[0] + variances[1], 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, gap / se, np.where(gap > 0, np.inf, 0.0))
    return z >= stats.norm.ppf(1 - alpha)


def compare(pair, method: str, user, rng: np.random.Generator, **kwargs) -> SessionsNeeded:
    """The experiment for one ranker pair and one method: sessions needed to pick the truly better
    ranker (``pair.better``) with ``method`` ("team_draft", "balanced", "ab_clicks", "ab_abandonment"
    or "ab_first_click") when ``user`` (a CascadeUser or a list of them) clicks; ``kwargs`` go to
    ``sessions_needed``."""
    from rlhf_gym.interleaving.outcomes import exact_distribution

    return sessions_needed(exact_distribution(pair, method, user), rng, **kwargs)
