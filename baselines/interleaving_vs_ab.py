"""Interleaving against A/B testing: how many user sessions each needs to pick the better ranker.

The literature (Radlinski & Craswell 2010; Chapelle, Joachims, Radlinski & Yue 2012) reports that
interleaving needs 10 to 100 times fewer sessions than an A/B test on an absolute click metric. Here:
``--queries`` simulated queries with graded documents (``rlhf_gym.interleaving.make_queries``), a
better ranker (relevance + ``--noise-better`` N(0, 1) noise) against a worse one per noise in
``--noise-worse`` (three difficulties), users from ``--users`` (each session draws one cascade
user), ``--depth`` results shown. For team draft, balanced interleaving and A/B tests on clicks per
session, abandonment and the reciprocal rank of the first click, it prints the sessions needed to
pick the truly better ranker (higher nDCG) with 95% confidence: the smallest n at which a one-sided
5% test picks it in >= 95% of ``--repeats`` experiments of n sessions (the definition is in
``rlhf_gym/interleaving/power.py``), the ratios A/B ÷ interleaving, and a check that simulating
``--check-sessions`` sessions through interleave → click → credit agrees with the exact outcome
distribution the experiments are drawn from. Writes results.json and power.png to ``--out``.

    python baselines/interleaving_vs_ab.py [--users navigational] [--out runs/interleaving_vs_ab]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from script_args import parse  # noqa: E402

from rlhf_gym.interleaving import (CLICK_MODELS, INTERLEAVING, METHODS, CascadeUser, exact_distribution,  # noqa: E402
                                   make_queries, ranker_pair, sessions_needed, simulate_sessions)

LABELS = {"team_draft": "team draft", "balanced": "balanced", "ab_clicks": "A/B clicks",
          "ab_abandonment": "A/B abandonment", "ab_first_click": "A/B first-click RR"}


@dataclass
class Args:
    queries: int = 200
    """simulated queries (each session draws one uniformly)"""
    docs: int = 30
    """documents per query"""
    depth: int = 10
    """results shown per session (the top of the list; at most 14)"""
    users: str = "perfect,navigational,informational"
    """cascade users (comma separated, from perfect, navigational, informational): each session draws one"""
    noise_better: float = 1.0
    """noise of the better ranker's relevance scores"""
    noise_worse: str = "3.0,1.8,1.3"
    """noise of the worse ranker, one ranker pair per value (comma separated): easy to hard"""
    repeats: int = 2000
    """experiments per n when finding the sessions needed"""
    alpha: float = 0.05
    """level of each one-sided test"""
    confidence: float = 0.95
    """share of experiments that must pick the better ranker"""
    n_max: int = 10_000_000
    """largest number of sessions tried"""
    check_sessions: int = 100_000
    """sessions simulated end to end per method and pair, to check the exact distribution"""
    seed: int = 0
    """seed of the queries, rankers, experiments and simulated sessions"""
    out: str = "runs/interleaving_vs_ab"
    """folder for results.json and power.png"""


def checked(args: Args) -> tuple[list[CascadeUser], list[float]]:
    """The users and the worse rankers' noises, or a ValueError naming the bad argument."""
    for flag, value, low in (("--queries", args.queries, 1), ("--docs", args.docs, 2), ("--repeats", args.repeats, 1),
                             ("--check-sessions", args.check_sessions, 1), ("--n-max", args.n_max, 10)):
        if value < low:
            raise ValueError(f"{flag}: got {value}; allowed: an integer >= {low}")
    for flag, value in (("--alpha", args.alpha), ("--confidence", args.confidence)):
        if not 0 < value < 1:
            raise ValueError(f"{flag}: got {value}; allowed: a number in (0, 1)")
    names = [n for n in args.users.split(",") if n]
    bad = [n for n in names if n not in CLICK_MODELS]
    if not names or bad:
        raise ValueError(f"--users: got {args.users!r}; allowed: a comma-separated list of {sorted(CLICK_MODELS)}")
    try:
        noises = [float(x) for x in args.noise_worse.split(",") if x]
    except ValueError:
        noises = []
    if not noises or not all(np.isfinite(x) and x > args.noise_better for x in noises):
        raise ValueError(f"--noise-worse: got {args.noise_worse!r}; allowed: comma-separated numbers above "
                         f"--noise-better ({args.noise_better})")
    if not 1 <= args.depth <= min(14, args.docs):
        raise ValueError(f"--depth: got {args.depth}; allowed: an integer from 1 to {min(14, args.docs)}")
    return [CascadeUser.named(n) for n in names], noises


def simulated_delta(pair, method, users, n, rng) -> float:
    """The better ranker's per-session advantage measured on ``n`` simulated sessions."""
    s = simulate_sessions(pair, method, users, n, rng)
    if s.arm is None:
        return float(s.value.mean() * (1 if pair.better == "a" else -1))
    better = 0 if pair.better == "a" else 1
    gap = s.value[s.arm == better].mean() - s.value[s.arm != better].mean()
    return float(gap if method != "ab_abandonment" else -gap)


def fmt(n) -> str:
    return f"{n:,}" if n is not None else "never"


def main(args: Args) -> None:
    users, noises = checked(args)
    start = time.perf_counter()
    world, rng = np.random.default_rng(args.seed).spawn(2)  # the pairs do not depend on the experiments' settings
    grades = make_queries(args.queries, args.docs, world)
    pairs = [ranker_pair(grades, args.noise_better, noise, world, depth=args.depth,
                         name=f"noise {args.noise_better} vs {noise}") for noise in noises]
    results = []
    for noise, pair in zip(noises, pairs):
        row = {"pair": pair.name, "noise_worse": noise, "better": pair.better,
               "ndcg_better": max(pair.ndcg_a, pair.ndcg_b), "ndcg_worse": min(pair.ndcg_a, pair.ndcg_b), "methods": {}}
        for method in METHODS:
            found = sessions_needed(exact_distribution(pair, method, users), rng, alpha=args.alpha,
                                    confidence=args.confidence, repeats=args.repeats, n_max=args.n_max)
            row["methods"][method] = {"sessions": found.n, "normal_approximation": found.normal_n if np.isfinite(found.normal_n) else None, "delta": found.delta,
                                      "sd": found.sd, "delta_simulated": simulated_delta(pair, method, users,
                                                                                         args.check_sessions, rng),
                                      "grid": found.grid.tolist(), "power": found.power.tolist()}
        results.append(row)
    wall = time.perf_counter() - start
    report(args, results, wall)


def ratio(ab, inter) -> str:
    return f"{ab / inter:.1f}×" if ab is not None and inter is not None else "n/a"


def report(args: Args, results: list[dict], wall: float) -> None:
    print(f"{args.queries} queries × {args.docs} documents, {args.depth} shown, users {args.users}; better ranker "
          f"noise {args.noise_better}; {args.repeats} experiments per n, one-sided level {args.alpha}, "
          f"confidence {args.confidence}; seed {args.seed}\n")
    print("Sessions needed to pick the better ranker (never: the metric favours the worse one or needs > n_max)\n")
    print("| worse noise | nDCG@%d better / worse | " % args.depth + " | ".join(LABELS[m] for m in METHODS) + " |")
    print("|---|---|" + "---:|" * len(METHODS))
    for row in results:
        cells = " | ".join(fmt(row["methods"][m]["sessions"]) for m in METHODS)
        print(f"| {row['noise_worse']} | {row['ndcg_better']:.3f} / {row['ndcg_worse']:.3f} | {cells} |")
    print("\nA/B ÷ interleaving (sessions)\n")
    ab = [m for m in METHODS if m not in INTERLEAVING]
    print("| worse noise | " + " | ".join(f"{LABELS[m]} ÷ {LABELS[i]}" for i in INTERLEAVING for m in ab) + " |")
    print("|---|" + "---:|" * (len(ab) * len(INTERLEAVING)))
    for row in results:
        n = {m: row["methods"][m]["sessions"] for m in METHODS}
        print(f"| {row['noise_worse']} | " + " | ".join(ratio(n[m], n[i]) for i in INTERLEAVING for m in ab) + " |")
    print(f"\nCheck: per-session advantage of the better ranker, exact (used above) vs {args.check_sessions:,} "
          "simulated sessions (interleave → click → credit)\n")
    print("| worse noise | " + " | ".join(LABELS[m] for m in METHODS) + " |")
    print("|---|" + "---:|" * len(METHODS))
    for row in results:
        cells = " | ".join(f"{row['methods'][m]['delta']:+.4f} / {row['methods'][m]['delta_simulated']:+.4f}"
                           for m in METHODS)
        print(f"| {row['noise_worse']} | {cells} |")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"config": asdict(args), "pairs": results, "wall_seconds": wall},
                                                 indent=1))
    plot(results, out / "power.png")
    print(f"\nwall {wall:.1f} s; results: {out / 'results.json'}, plot: {out / 'power.png'}")


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4), squeeze=False)
    for ax, row in zip(axes[0], results):
        for method in METHODS:
            ax.plot(row["methods"][method]["grid"], row["methods"][method]["power"], label=LABELS[method])
        ax.axhline(0.95, color="grey", linestyle=":")
        ax.set(xscale="log", title=row["pair"], xlabel="sessions", ylabel="share of experiments picking the better")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    arguments = parse(Args, __doc__)
    try:
        main(arguments)
    except ValueError as error:
        print(f"interleaving_vs_ab.py: error: {error}", file=sys.stderr)
        sys.exit(2)
