"""Bradley-Terry for K items (issue 25, item 1): speed and estimates against choix, and the coverage
of the standard errors, on comparisons simulated from known scores.

Targets, K = 1,000 items and M = 100,000 comparisons without ties:
- ``fit_bradley_terry`` at least 10x faster than ``choix.ilsr_pairwise`` (best of ``--repeats``
  runs each, side by side in this process; our fit is timed with and without its standard errors);
- the same estimates as ``choix.opt_pairwise`` at the same prior: max |difference| of the centred
  scores <= 1e-3. choix's code penalises ``alpha * ||s||^2``, so it gets alpha = prior_precision / 2;
- 95% intervals (score ± 1.96 standard errors) cover the true centred scores 93-97% of the time,
  over ``--coverage-sets`` data sets simulated afresh (the K intervals of each set counted together).

choix is not a dependency of rlhf_gym (``pip install choix`` to compare); without it the script says
so, skips the two comparisons and still measures the coverage.

    python baselines/bench_bradley_terry.py [--items 1000] [--comparisons 100000] [--coverage-sets 200]
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from script_args import parse  # noqa: E402

from rlhf_gym.preferences import fit_bradley_terry  # noqa: E402


@dataclass
class Args:
    items: int = 1000
    """K, items with a true score drawn from N(0, 1)"""
    comparisons: int = 100_000
    """M, comparisons of uniformly drawn pairs of different items, won with probability sigmoid(s_i - s_j)"""
    prior_precision: float = 1e-3
    """our prior's precision (choix gets alpha = prior_precision / 2)"""
    repeats: int = 3
    """timed runs of each method; the best counts"""
    coverage_sets: int = 200
    """data sets simulated afresh for the coverage of the 95% intervals (0: skip)"""
    choix_tol: float = 1e-5
    """tol of choix.opt_pairwise (its own default, 1e-5)"""
    seed: int = 0
    """seed of the scores and the comparisons"""


def simulate(rng: np.random.Generator, scores: np.ndarray, n_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    first = rng.integers(0, scores.size, n_pairs)
    pairs = np.column_stack([first, (first + rng.integers(1, scores.size, n_pairs)) % scores.size])
    return pairs, (rng.random(n_pairs) < expit(scores[pairs[:, 0]] - scores[pairs[:, 1]])).astype(float)


def best_time(fn, repeats: int):
    best, result = np.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def coverage(args: Args, rng: np.random.Generator) -> np.ndarray:
    """Share of the K true centred scores inside their 95% interval, per simulated data set."""
    shares = []
    for _ in range(args.coverage_sets):
        truth = rng.normal(size=args.items)
        pairs, outcomes = simulate(rng, truth, args.comparisons)
        fit = fit_bradley_terry(pairs, outcomes, args.items, prior_precision=args.prior_precision)
        shares.append(np.mean(np.abs(fit.scores - (truth - truth.mean())) <= 1.96 * fit.std_errors))
    return np.array(shares)


def main(args: Args) -> None:
    rng = np.random.default_rng(args.seed)
    truth = rng.normal(size=args.items)
    pairs, outcomes = simulate(rng, truth, args.comparisons)
    K, M, alpha = args.items, args.comparisons, args.prior_precision
    fit = lambda se: fit_bradley_terry(pairs, outcomes, K, prior_precision=alpha, std_errors=se)  # noqa: E731
    t_scores, ours = best_time(lambda: fit(False), args.repeats)
    t_full, ours_full = best_time(lambda: fit(True), args.repeats)
    rows = [("rlhf_gym fit_bradley_terry, scores only", t_scores, f"{ours.iterations} Newton iterations"),
            ("rlhf_gym fit_bradley_terry, scores + standard errors", t_full, "")]
    print(f"K = {K:,} items, M = {M:,} comparisons (no ties), prior precision {alpha:g}, seed {args.seed}")
    try:
        import choix
    except ImportError:
        choix = None
        print("choix is not installed (pip install choix): the comparisons with choix are skipped")
    verdicts = []
    if choix is not None:
        data = [(a, b) if o == 1.0 else (b, a) for (a, b), o in zip(pairs.tolist(), outcomes.tolist())]
        t_ilsr, ilsr = best_time(lambda: choix.ilsr_pairwise(K, data), args.repeats)
        t_opt, opt = best_time(lambda: choix.opt_pairwise(K, data, alpha=alpha / 2, tol=args.choix_tol), 1)
        d_opt = np.abs(ours.scores - (opt - opt.mean())).max()
        d_ilsr = np.abs(ours.scores - (ilsr - ilsr.mean())).max()
        rows += [("choix.ilsr_pairwise (alpha = 0)", t_ilsr, f"max abs Δ of centred scores vs ours {d_ilsr:.1e}"),
                 (f"choix.opt_pairwise (alpha = {alpha / 2:g}, Newton-CG, tol {args.choix_tol:g})", t_opt,
                  f"max abs Δ of centred scores vs ours {d_opt:.1e}")]
        verdicts += [f"speed-up over choix.ilsr_pairwise: {t_ilsr / t_scores:.1f}x (scores only), "
                     f"{t_ilsr / t_full:.1f}x (with standard errors); target >= 10x",
                     f"max |Δ| of centred scores against choix.opt_pairwise: {d_opt:.1e}; target <= 1e-3"]
    print("\n| method | best of runs (s) | notes |\n|---|---:|---|")
    for name, secs, note in rows:
        print(f"| {name} | {secs:.3f} | {note} |")
    corr = np.corrcoef(ours_full.scores, truth)[0, 1]
    print(f"\ncorrelation with the true scores {corr:.4f}; mean standard error {ours_full.std_errors.mean():.4f}")
    for line in verdicts:
        print(line)
    if args.coverage_sets > 0:
        started = time.perf_counter()
        shares = coverage(args, np.random.default_rng(args.seed + 1))
        lo, hi = np.percentile(shares, [2.5, 97.5])
        print(f"95% intervals cover the true centred scores {shares.mean():.2%} of the time over "
              f"{shares.size} data sets x {K} items (per set: 2.5-97.5 percentiles {lo:.1%}-{hi:.1%}); "
              f"target 93-97%  [{time.perf_counter() - started:.0f} s]")


if __name__ == "__main__":
    main(parse(Args, __doc__))
