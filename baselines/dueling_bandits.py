"""Dueling bandits (Yue et al. 2012): cumulative regret vs T of IF2, RUCB, RMED1 and CCB.

For each built-in instance (16-arm Bradley–Terry, hard Condorcet, Copeland-only) it runs every
algorithm ``--runs`` times at once (``rlhf_gym.bandits.run_dueling_bandit``), prints a markdown table
of the mean final regret with a 95% interval (mean ± 1.96 standard errors over runs) and the wall
time, and saves the curves (mean and 95% band) to ``--out``/dueling_bandits.png. Strong regret on
instances with a Condorcet winner, Copeland regret on the Copeland-only instance.

``--compare-duelpy`` (the targets of issue 25): on the 16-arm Bradley–Terry instance, T = 10^4, the
mean cumulative strong regret of our RUCB, RMED1 and IF2 against duelpy 1.0.0's RUCB, RMED1 and
InterleavedFiltering (``--duelpy-runs`` runs each, one at a time: duelpy is a per-step Python loop),
regret computed with our definition from the duels duelpy chose; target ratio <= 1.15. Also times 20
runs of all four of our algorithms together (target < 10 s). Skips with a message if duelpy is absent.

    python baselines/dueling_bandits.py [--runs 20] [--horizon 10000] [--out runs/dueling_bandits]
    python baselines/dueling_bandits.py --compare-duelpy [--duelpy-runs 5]
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from script_args import parse  # noqa: E402

from rlhf_gym.bandits import ALGORITHMS, builtin_instance, condorcet_winner, run_dueling_bandit  # noqa: E402

LABELS = {"if2": "Interleaved Filter 2", "rucb": "RUCB", "rmed1": "RMED1", "ccb": "CCB"}


@dataclass
class Args:
    runs: int = 20
    """independent runs per algorithm and instance"""
    horizon: int = 10_000
    """duels per run (T)"""
    seed: int = 0
    """seed of every run's generator"""
    instances: str = "bradley_terry,condorcet_hard,copeland"
    """built-in instances (comma separated)"""
    out: str = "runs/dueling_bandits"
    """folder for the plot"""
    compare_duelpy: str = "no"
    """yes: run the duelpy comparison and the speed target instead of the regret table (a bare
    --compare-duelpy means yes)"""
    duelpy_runs: int = 5
    """runs per algorithm for duelpy (slow: one Python step per duel)"""


def interval(final: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its 95% interval (1.96 standard errors)."""
    half = 1.96 * final.std(ddof=1) / np.sqrt(len(final)) if len(final) > 1 else float("nan")
    return float(final.mean()), float(half)


def regret_table(args: Args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in args.instances.split(",") if n]
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    print(f"T = {args.horizon}, {args.runs} runs, seed {args.seed}\n")
    print("| instance | regret | algorithm | mean final regret | 95% interval | wall s |")
    print("|---|---|---|---|---|---|")
    steps = np.arange(1, args.horizon + 1)
    for ax, name in zip(axes[0], names):
        p = builtin_instance(name)
        kind = "strong" if condorcet_winner(p) is not None else "copeland"
        for algo in ALGORITHMS:
            start = time.perf_counter()
            result = run_dueling_bandit(algo, p, args.horizon, args.runs, args.seed)
            wall = time.perf_counter() - start
            curves = getattr(result, f"{kind}_regret")
            mean, half = interval(curves[:, -1])
            print(f"| {name} (K={p.shape[0]}) | {kind} | {LABELS[algo]} | {mean:.1f} | ± {half:.1f} | {wall:.2f} |")
            m = curves.mean(axis=0)
            h = 1.96 * curves.std(axis=0, ddof=1) / np.sqrt(args.runs) if args.runs > 1 else 0 * m
            ax.plot(steps, m, label=LABELS[algo])
            ax.fill_between(steps, m - h, m + h, alpha=0.2)
        ax.set(title=f"{name} (K={p.shape[0]})", xlabel="T", ylabel=f"cumulative {kind} regret")
        ax.legend()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out / "dueling_bandits.png", dpi=100)
    print(f"\nplot: {out / 'dueling_bandits.png'}")


def duelpy_strong_regret(algo: str, p: np.ndarray, horizon: int, seed: int) -> float:
    """Final strong regret (our definition) of one duelpy run, from the duels it chose."""
    from duelpy.algorithms import InterleavedFiltering, RelativeUCB, Rmed1
    from duelpy.feedback import MatrixFeedback

    from rlhf_gym.bandits import regret_table as table

    duels = []

    class LoggedFeedback(MatrixFeedback):
        def duel(self, i, j):
            duels.append((i, j))
            return super().duel(i, j)

    state = np.random.RandomState(seed)
    cls = {"rucb": RelativeUCB, "rmed1": Rmed1, "if2": InterleavedFiltering}[algo]
    cls(LoggedFeedback(p, random_state=state), horizon, random_state=state).run()
    pairs = np.array(duels[:horizon])
    return float(table(p, "strong")[pairs[:, 0], pairs[:, 1]].sum())


def compare_duelpy(args: Args) -> None:
    p = builtin_instance("bradley_terry")
    start = time.perf_counter()
    ours = {algo: run_dueling_bandit(algo, p, args.horizon, args.runs, args.seed) for algo in ALGORITHMS}
    wall = time.perf_counter() - start
    print(f"16-arm Bradley–Terry, T = {args.horizon}: {args.runs} runs of all four algorithms: {wall:.2f} s "
          f"(target < 10 s: {'met' if wall < 10 else 'MISSED'})\n")
    try:
        np.float = float  # duelpy 1.0.0 still names np.float
        import duelpy  # noqa: F401
    except ImportError:
        print("duelpy is not installed: skipping the comparison (pip install duelpy to run it).")
        return
    print(f"| algorithm | ours: mean strong regret ({args.runs} runs) | duelpy ({args.duelpy_runs} runs) "
          "| duelpy s/run | ratio ours/duelpy | target <= 1.15 |")
    print("|---|---|---|---|---|---|")
    for algo in ("rucb", "rmed1", "if2"):
        mine, _ = interval(ours[algo].strong_regret[:, -1])
        start = time.perf_counter()
        theirs = [duelpy_strong_regret(algo, p, args.horizon, args.seed + r) for r in range(args.duelpy_runs)]
        per_run = (time.perf_counter() - start) / args.duelpy_runs
        ref, half = interval(np.array(theirs))
        ratio = mine / ref
        print(f"| {LABELS[algo]} | {mine:.1f} | {ref:.1f} ± {half:.1f} | {per_run:.1f} | {ratio:.2f} | "
              f"{'met' if ratio <= 1.15 else 'MISSED'} |")


if __name__ == "__main__":
    argv = ["--compare-duelpy=yes" if a == "--compare-duelpy" else a for a in sys.argv[1:]]
    arguments = parse(Args, __doc__, argv)
    if arguments.compare_duelpy not in ("yes", "no"):
        raise ValueError(f"--compare-duelpy: got {arguments.compare_duelpy!r}; allowed: yes, no (or the bare flag)")
    compare_duelpy(arguments) if arguments.compare_duelpy == "yes" else regret_table(arguments)
