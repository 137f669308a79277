"""MaxEnt IRL benchmark: reward recovery vs number of demonstrations, and speed vs grid size.

1. 32×32 ObjectWorld (slip 0.1): recovered-reward correlation and the true return of the
   recovered reward's optimal policy (exact, from the model) as a fraction of the expert's, for
   5 … 50 demonstrations; the whole fit's wall time. Target: >= 95% of the expert from 50 demos,
   fit < 10 s.
2. Seconds per MaxEnt iteration (soft value iteration + visitation, horizon 100) for 16×16 …
   256×256 grids, with the ratio to hard value iteration on the same grid in the same process
   (the reference). Target: < 1 s per iteration at 256×256 on 2 cores.
Writes a heat map PNG (recovered | true reward, with the learner's arrows) and a plot.

    python baselines/maxent_irl.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import gymnasium as gym
import numpy as np

import rlhf_gym  # noqa: F401
from rlhf_gym.data.trajectories import collect_demonstrations
from rlhf_gym.algorithms.maxent_irl import maxent_gradient, maxent_irl
from rlhf_gym.planning import expected_return, hard_value_iteration, tabular_model
from rlhf_gym.commands.common import format_table
from rlhf_gym.experts import expert_for


@dataclass
class Args:
    size: int = 32  # ObjectWorld side for the recovery experiment
    slip: float = 0.1  # slip probability
    demos: list = field(default_factory=lambda: [5, 10, 20, 50])  # demonstration counts
    seeds: int = 3  # seeds (demo sets) per count
    iters: int = 200  # MaxEnt iterations
    lr: float = 0.1  # Adam step size on the linear weights
    sizes: list = field(default_factory=lambda: [16, 32, 64, 128, 256])  # grid sides for the timing
    timing_horizon: int = 100  # horizon of the timing runs
    timing_repeats: int = 3  # best-of repeats per timing
    out: str = "runs/maxent_irl"  # output folder


def recovery(args: Args, out: Path) -> list[list]:
    env = gym.make("rlhf_gym/ObjectWorld-v0", size=args.size, slip=args.slip)
    model = tabular_model(env)
    true_r = env.unwrapped.state_rewards
    expert = expert_for(env)
    expert_plan = hard_value_iteration(model, true_r)
    expert_return = expected_return(model, expert_plan, true_r)
    rows = []
    last = None
    for n in args.demos:
        corr, frac, secs = [], [], []
        for seed in range(args.seeds):
            demos = collect_demonstrations(env, expert, n, np.random.default_rng(seed))
            result = maxent_irl(env, demos, n_iters=args.iters, learning_rate=args.lr, model=model)
            corr.append(float(np.corrcoef(result.state_rewards, true_r)[0, 1]))
            frac.append(expected_return(model, result.plan, true_r) / expert_return)
            secs.append(result.wall_seconds)
            last = result
        rows.append([n, float(np.mean(corr)), float(np.mean(frac)), float(np.min(frac)), float(np.mean(secs))])
        print(f"  {n} demos done", flush=True)
    from rlhf_gym.envs.gridworld import render as grid_render

    left = grid_render.render_values(env, last.state_rewards, last.policy)
    right = grid_render.render_values(env, true_r, expert.policy)
    gap = np.full((left.shape[0], 8, 3), 255, dtype=np.uint8)
    grid_render.save_png(np.concatenate([left, gap, right], axis=1), out / "maxent_heatmap.png")
    return rows


def timing(args: Args) -> list[list]:
    rows = []
    for size in args.sizes:
        env = gym.make("rlhf_gym/ObjectWorld-v0", size=size, slip=args.slip, horizon=args.timing_horizon)
        model = tabular_model(env)
        r = env.unwrapped.state_rewards
        counts = np.zeros(model.n_states)
        best_it, best_ref = np.inf, np.inf
        for _ in range(args.timing_repeats):
            t0 = time.perf_counter()
            maxent_gradient(model, r, counts)  # one full iteration: soft VI + expected visitation
            t1 = time.perf_counter()
            hard_value_iteration(model, r)  # the reference: hard VI on the same model
            t2 = time.perf_counter()
            best_it, best_ref = min(best_it, t1 - t0), min(best_ref, t2 - t1)
        rows.append([f"{size}x{size}", model.n_states, best_it, best_ref, best_it / best_ref])
        print(f"  {size}x{size} timed", flush=True)
    return rows


def main(args: Args) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"recovery on {args.size}x{args.size} ObjectWorld ...", flush=True)
    rec = recovery(args, out)
    print(f"\n### MaxEnt IRL on {args.size}x{args.size} ObjectWorld (slip {args.slip}), {args.seeds} seeds\n")
    print(format_table(["demos", "reward corr", "return / expert (mean)", "return / expert (worst)", "fit seconds"], rec))
    print("timing ...", flush=True)
    tim = timing(args)
    print(f"\n### Seconds per MaxEnt iteration (horizon {args.timing_horizon}), best of {args.timing_repeats}\n")
    print(format_table(["grid", "states", "s / iteration", "hard VI s (reference)", "ratio"], tim))
    final = rec[-1]
    print(f"\ntargets: return >= 95% of expert from {final[0]} demos: {'met' if final[2] >= 0.95 else 'NOT met'} "
          f"({final[2]:.3f}); fit < 10 s: {'met' if final[4] < 10 else 'NOT met'} ({final[4]:.2f} s); "
          f"256x256 iteration < 1 s: " + ("met" if tim[-1][2] < 1 else "NOT met") + f" ({tim[-1][2]:.3f} s)")
    (out / "results.json").write_text(json.dumps({"args": asdict(args), "recovery": rec, "timing": tim}, indent=2))
    plot(rec, tim, out / "maxent_irl.png")
    print(f"wrote {out}/results.json, maxent_irl.png, maxent_heatmap.png")


def plot(rec, tim, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    demos = [r[0] for r in rec]
    a.plot(demos, [r[1] for r in rec], marker="o", label="reward correlation")
    a.plot(demos, [r[2] for r in rec], marker="s", label="return / expert")
    a.axhline(0.95, color="k", linestyle="--", linewidth=0.8)
    a.set_xlabel("demonstrations")
    a.legend()
    b.loglog([r[1] for r in tim], [r[2] for r in tim], marker="o", label="MaxEnt iteration")
    b.loglog([r[1] for r in tim], [r[3] for r in tim], marker="s", label="hard VI (reference)")
    b.axhline(1.0, color="k", linestyle="--", linewidth=0.8)
    b.set_xlabel("states")
    b.set_ylabel("seconds")
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, fewer sizes")
    parser.add_argument("--out", default=Args.out)
    cli = parser.parse_args()
    a = Args(out=cli.out)
    if cli.quick:
        a = Args(demos=[10, 50], seeds=1, sizes=[16, 64], out=cli.out)
    main(a)
