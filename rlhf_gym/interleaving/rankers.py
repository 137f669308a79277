"""Simulated queries and rankers of known quality, so that the truly better ranker is known.

Why noisy relevance: a ranker that sorts a query's documents by ``grade + noise * N(0, 1)`` is
worse the larger its noise, and its quality on the true grades (nDCG) can be computed exactly; two
such rankers with different noise make a comparison whose right answer the experiment knows.
Queries differ in how many relevant documents they have (a per-query Beta draw), as real ones do:
this spread is what makes per-session A/B metrics noisy and what interleaving cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlhf_gym.interleaving import checks


def make_queries(n_queries: int, n_docs: int, rng: np.random.Generator, max_grade: int = 4,
                 richness: tuple[float, float] = (1.0, 3.0)) -> np.ndarray:
    """Relevance grades (n_queries, n_docs) in 0..max_grade: per query a share p ~ Beta(*richness),
    per document grade ~ Binomial(max_grade, p)."""
    n_queries, n_docs = checks.positive_int("n_queries", n_queries), checks.positive_int("n_docs", n_docs, 2)
    max_grade = checks.positive_int("max_grade", max_grade)
    rng = checks.generator("rng", rng)
    if len(richness) != 2 or not all(isinstance(x, (int, float)) and x > 0 for x in richness):
        raise ValueError(f"richness: got {richness!r}; allowed: two Beta parameters > 0")
    share = rng.beta(*richness, size=(n_queries, 1))
    return rng.binomial(max_grade, np.broadcast_to(share, (n_queries, n_docs))).astype(np.int64)


def noisy_ranking(grades, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Per query, its document ids sorted by ``grade + noise * N(0, 1)``, best first: (Q, D)."""
    grades = np.asarray(grades)
    if grades.ndim != 2 or not np.issubdtype(grades.dtype, np.integer) or (grades < 0).any():
        raise ValueError(f"grades: got an array of dtype {grades.dtype} and shape {grades.shape}; allowed: "
                         "(n_queries, n_docs) integer grades >= 0")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise: got {noise!r}; allowed: a finite number >= 0")
    rng = checks.generator("rng", rng)
    score = grades + noise * rng.standard_normal(grades.shape)
    return np.argsort(-score, axis=1, kind="stable")


def ndcg(grades, rankings, depth: int) -> np.ndarray:
    """nDCG@depth of each query's ranking (gain 2^g - 1, discount 1/log2(rank + 1)); NaN for a query
    with no relevant document (every ranking of it is as good as any other)."""
    grades, rankings = np.asarray(grades), np.asarray(rankings)
    depth = checks.positive_int("depth", depth)
    gain = 2.0 ** np.take_along_axis(grades, rankings[:, :depth], axis=1) - 1
    discount = 1.0 / np.log2(np.arange(2, gain.shape[1] + 2))
    best_first = -np.sort(-grades, axis=1)[:, :depth]
    ideal = ((2.0 ** best_first - 1) * discount).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ideal > 0, (gain * discount).sum(axis=1) / ideal, np.nan)


@dataclass(frozen=True)
class RankerPair:
    """Two rankers on the same queries: ``a`` and ``b`` (Q, D) document ids best first, ``grades``
    (Q, D), and ``depth``, the number of results a user is shown (the top ``depth`` of a list)."""

    grades: np.ndarray
    a: np.ndarray
    b: np.ndarray
    depth: int
    name: str = ""

    @property
    def ndcg_a(self) -> float:
        return float(np.nanmean(ndcg(self.grades, self.a, self.depth)))

    @property
    def ndcg_b(self) -> float:
        return float(np.nanmean(ndcg(self.grades, self.b, self.depth)))

    @property
    def better(self) -> str:
        """The truly better ranker, "a" or "b": the higher mean nDCG@depth over queries."""
        if self.ndcg_a == self.ndcg_b:
            raise ValueError(f"pair {self.name!r}: both rankers have mean nDCG {self.ndcg_a}; allowed: a pair "
                             "whose quality differs (draw again or change a noise)")
        return "a" if self.ndcg_a > self.ndcg_b else "b"


def ranker_pair(grades, noise_a: float, noise_b: float, rng: np.random.Generator, depth: int = 10,
                name: str = "") -> RankerPair:
    """Two noisy rankers of ``grades`` (noise ``noise_a`` and ``noise_b``), shown to ``depth`` results."""
    grades = np.asarray(grades)
    depth = checks.positive_int("depth", depth)
    if grades.ndim == 2 and depth > grades.shape[1]:
        raise ValueError(f"depth: got {depth}; allowed: 1..{grades.shape[1]} (the documents per query)")
    a = noisy_ranking(grades, noise_a, rng)
    return RankerPair(grades, a, noisy_ranking(grades, noise_b, rng), depth, name)
