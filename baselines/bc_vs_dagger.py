"""BC vs DAgger: learner return against the number of expert labels (compounding error shows).

Slippery GridWorld (LavaMaze, slip 0.2; exact expected return from the model) and Backflip
(return and success rate over evaluation episodes), several seeds. BC gets the first B labels
of expert demonstrations; DAgger gets a query budget and is evaluated after every round.
Prints a markdown table, the labels each method needs for 95% of the expert, and writes a plot.

    python baselines/bc_vs_dagger.py            # full run (minutes)
    python baselines/bc_vs_dagger.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

import rlhf_gym  # noqa: F401
from rlhf_gym.algorithms.bc import train_bc
from rlhf_gym.algorithms.dagger import train_dagger
from rlhf_gym.algorithms.demonstrations import collect_demonstrations, flatten_demonstrations
from rlhf_gym.algorithms.tabular_model import HardPlan, expected_return, tabular_model
from rlhf_gym.commands.common import format_table, policy_actor, run_episodes
from rlhf_gym.experts import expert_for


@dataclass
class Args:
    seeds: int = 3  # seeds per setting
    grid_budgets: list = field(default_factory=lambda: [25, 50, 100, 200, 400, 800, 1600])  # GridWorld label budgets
    flip_budgets: list = field(default_factory=lambda: [200, 400, 1000, 2000, 4000])  # Backflip label budgets
    bc_epochs: int = 30  # BC epochs on a fixed dataset
    dagger_epochs: int = 10  # BC epochs per DAgger round (warm-started)
    eval_episodes: int = 10  # Backflip evaluation episodes
    out: str = "runs/bc_vs_dagger"  # output folder (table JSON + plot)


SETTINGS = {
    "gridworld": ("rlhf_gym/LavaMaze-v0", {"slip": 0.2}, 1),  # (env id, kwargs, episodes per DAgger round)
    "backflip": ("rlhf_gym/Backflip-v0", {}, 1),
}


def make_evaluator(name: str, env, args: Args):
    """Return ``evaluate(model) -> (return, success or None)``."""
    if name == "gridworld":
        tab, rewards = tabular_model(env), env.unwrapped.state_rewards

        def evaluate(model):
            acts = np.asarray(model.predict(np.arange(tab.n_states), deterministic=True)[0], dtype=np.int8)
            plan = HardPlan(values=None, actions=np.tile(acts, (tab.horizon, 1)), n_actions=tab.n_actions)
            return expected_return(tab, plan, rewards), None

        return evaluate

    def evaluate(model):
        summary = run_episodes(env, policy_actor(model), args.eval_episodes, seed=10_000)
        return summary["true_return_mean"], summary.get("success_rate")

    return evaluate


def learner(env, seed):
    from stable_baselines3 import PPO

    torch.manual_seed(seed)
    return PPO("MlpPolicy", env, seed=seed, device="cpu")


def run_setting(name: str, args: Args, budgets: list) -> dict:
    env_id, kwargs, per_round = SETTINGS[name]
    env = gym.make(env_id, **kwargs)
    expert = expert_for(env)
    evaluate = make_evaluator(name, env, args)
    expert_return, expert_success = evaluate(expert)
    rows = {"bc": {b: [] for b in budgets}, "dagger": {b: [] for b in budgets}}
    success = {"bc": {b: [] for b in budgets}, "dagger": {b: [] for b in budgets}}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        demos, n_labels = [], 0
        while n_labels < max(budgets):
            demos += collect_demonstrations(env, expert, 1, rng)
            n_labels += len(demos[-1])
        obs, acts = flatten_demonstrations(demos)
        for b in budgets:
            model = learner(env, seed)
            train_bc(model, obs[:b], acts[:b], n_epochs=args.bc_epochs, rng=np.random.default_rng(seed))
            ret, succ = evaluate(model)
            rows["bc"][b].append(ret)
            success["bc"][b].append(succ)
        curve = []  # (labels used, return, success) after every DAgger round
        model = learner(env, seed)
        train_dagger(model, env, expert, n_rounds=10_000, episodes_per_round=per_round, beta="exponential",
                     query_budget=max(budgets), bc_epochs=args.dagger_epochs, rng=np.random.default_rng(seed),
                     callback=lambda rec, m: curve.append((rec.labels_used, *evaluate(m))))
        for b in budgets:
            within = [c for c in curve if c[0] <= b]
            ret, succ = (within[-1][1], within[-1][2]) if within else (float("nan"), None)
            rows["dagger"][b].append(ret)
            success["dagger"][b].append(succ)
        print(f"[{name}] seed {seed} done", flush=True)
    return {"expert_return": expert_return, "expert_success": expert_success, "returns": rows, "success": success}


def labels_to_reach(result: dict, method: str, budgets: list, fraction: float = 0.95):
    target = fraction * result["expert_return"]
    for b in budgets:
        if np.nanmean(result["returns"][method][b]) >= target:
            return b
    return None


def main(args: Args) -> None:
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    all_results = {}
    for name, budgets in (("gridworld", args.grid_budgets), ("backflip", args.flip_budgets)):
        res = run_setting(name, args, budgets)
        all_results[name] = res
        table = []
        for b in budgets:
            row = [name, b]
            for method in ("bc", "dagger"):
                vals = np.asarray(res["returns"][method][b], dtype=float)
                row += [float(np.nanmean(vals)), float(np.nanstd(vals))]
                succ = [s for s in res["success"][method][b] if s is not None]
                row.append(float(np.mean(succ)) if succ else "-")
            table.append(row)
        exp_succ = "" if res["expert_success"] is None else f", success {res['expert_success']:.2f}"
        print(f"\n### {name}: true return vs expert labels (expert {res['expert_return']:.3f}{exp_succ}), "
              f"{args.seeds} seeds\n")
        print(format_table(["env", "labels", "BC mean", "BC std", "BC success", "DAgger mean", "DAgger std",
                            "DAgger success"], table))
        bc_need, dagger_need = (labels_to_reach(res, m, budgets) for m in ("bc", "dagger"))
        res["labels_to_95"] = {"bc": bc_need, "dagger": dagger_need}
        ok = bc_need is not None and dagger_need is not None and dagger_need * 3 <= bc_need
        print(f"\nlabels for 95% of expert: BC {bc_need}, DAgger {dagger_need} -> target (DAgger <= BC/3) "
              f"{'met' if ok else 'NOT met (or not reached within the budgets)'}")
    (out / "results.json").write_text(json.dumps({"args": asdict(args), "results": all_results}, indent=2, default=str))
    plot(all_results, args, out / "bc_vs_dagger.png")
    print(f"\nwrote {out / 'results.json'} and {out / 'bc_vs_dagger.png'} in {time.perf_counter() - started:.0f} s")


def plot(results: dict, args: Args, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4))
    for ax, (name, res) in zip(np.atleast_1d(axes), results.items()):
        budgets = sorted(res["returns"]["bc"])
        for method in ("bc", "dagger"):
            means = [np.nanmean(res["returns"][method][b]) for b in budgets]
            ax.plot(budgets, means, marker="o", label=method.upper() if method == "bc" else "DAgger")
        ax.axhline(res["expert_return"], color="k", linestyle="--", label="expert")
        ax.set_xscale("log")
        ax.set_xlabel("expert labels")
        ax.set_ylabel("true return")
        ax.set_title(name)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, small budgets")
    parser.add_argument("--seeds", type=int, default=Args.seeds)
    parser.add_argument("--out", default=Args.out)
    cli = parser.parse_args()
    a = Args(seeds=cli.seeds, out=cli.out)
    if cli.quick:
        a = Args(seeds=1, grid_budgets=[50, 200], flip_budgets=[200, 1000], eval_episodes=5, out=cli.out)
    main(a)
