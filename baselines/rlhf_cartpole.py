"""RLHF on a fixed-horizon CartPole-v1: preference labels vs the true-reward agent's return.

Why fixed horizon: in the stock CartPole an episode ends when the pole falls, so the
length of an episode alone tells the learner what is good, and a learned reward that
happens to be negative teaches the agent to fall quickly. Here the episode always
lasts 500 steps: the physics go on after a fall, and the true reward is 1 while the
pole is within CartPole's limits, 0 otherwise. The stock env is otherwise unchanged.

Target (issue 3): >= 95% of the true-reward PPO return with <= 500 labels.

    python baselines/rlhf_cartpole.py [--labels 100,300,500] [--seeds 3] [--first-seed 0] [--steps 100000]

Measured with these defaults (PPO 100k steps, 8 envs, exact teacher, 15-step clips,
10% of labels on the initial policy, reward of next_obs, reward_scale 0.03), seeds 0-2,
fraction of the true-reward return (500): 100 / 300 / 500 labels -> 0.49 / 0.97 / 1.00.
What mattered: reward_scale. The learned reward is renormalised on recent clips; once
the agent is good those clips are all upright, so a std of 1 (the old default) blew the
model's noise inside the upright region up to the size of falling (our reading, not
verified), and agents reached only 0.1-0.5. With 0.1: 0.55 / 0.61 / 1.00; 0.03 was
picked over 0.1 on these same seeds (0-2).
The true reward depends on the state alone, so next_obs (or obs) fits better than
(obs, action). Fresh seeds 3-5, same defaults (`--first-seed 3`): 0.67 / 0.47 / 1.00.
So the target holds at 500 labels (6 of 6 seeds reach 500); below that it is seed luck.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np

ENV_ID = "rlhf_gym_baselines/FixedHorizonCartPole-v1"


class FixedHorizonCartPole(gym.Wrapper):
    """CartPole that never terminates; reward and info["true_reward"] = 1 while upright and on track."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, env.observation_space.shape, np.float32)

    def step(self, action):
        obs, _, terminated, truncated, info = self.env.step(action)
        self.env.unwrapped.steps_beyond_terminated = None  # keep stepping after a fall, without warnings
        reward = 0.0 if terminated else 1.0
        return obs, reward, False, truncated, {**info, "true_reward": reward}


def _make(**kwargs):
    return FixedHorizonCartPole(gym.make("CartPole-v1", max_episode_steps=None, **kwargs).env)


def register() -> None:
    if ENV_ID not in gym.registry:
        gym.register(ENV_ID, entry_point=_make, max_episode_steps=500)


@dataclass
class Args:
    labels: str = "100,300,500"
    """comma-separated label budgets"""
    seeds: int = 3
    """seeds per setting"""
    first_seed: int = 0
    """seeds run are first_seed .. first_seed + seeds - 1"""
    steps: int = 100_000
    """PPO timesteps per run"""
    error_rate: float = 0.0
    """synthetic teacher's mistake rate"""
    segment_length: int = 15
    """steps per clip"""
    reward_inputs: str = "next_obs"
    """comma-separated reward-model inputs (obs, action, next_obs, obs_change)"""
    reward_scale: float = 0.03
    """per-step std of the learned reward the agent sees"""
    initial_fraction: float = 0.1
    """share of labels spent on the initial policy's clips"""
    reference: int = 1
    """1: also train the true-reward agent (the reference return); 0: assume 500"""
    eval_episodes: int = 10
    """evaluation episodes per agent"""
    out: str = "runs/rlhf_cartpole"
    """output folder (results.json, plot.png)"""


def main(args: Args) -> None:
    import torch

    from rlhf_gym.rlhf.pipeline import RLHFConfig, run_rlhf, run_true_reward
    from rlhf_gym.commands.common import evaluate_true_return, print_table

    torch.set_num_threads(1)
    register()
    budgets = [int(b) for b in args.labels.split(",")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    agent_kwargs = dict(n_steps=256, batch_size=256, n_epochs=10, gamma=0.99, gae_lambda=0.95, learning_rate=1e-3)
    results: dict = {"true_reward": [], **{str(b): [] for b in budgets}}
    started = time.time()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        cfg = RLHFConfig(ENV_ID, labels=budgets[0], steps=args.steps, n_envs=8, agent_kwargs=agent_kwargs,
                         segment_length=args.segment_length, teacher={"error_rate": args.error_rate},
                         reward_inputs=tuple(args.reward_inputs.split(",")), reward_scale=args.reward_scale,
                         initial_fraction=args.initial_fraction, seed=seed)
        if args.reference:
            agent, _ = run_true_reward(cfg)
            ref_ret = evaluate_true_return(agent, ENV_ID, {}, args.eval_episodes, 10_000 + seed)["true_return_mean"]
        else:
            ref_ret = 500.0
        results["true_reward"].append(ref_ret)
        for b in budgets:
            cfg.labels = b
            agent, _, cb, secs = run_rlhf(cfg)
            ret = evaluate_true_return(agent, ENV_ID, {}, args.eval_episodes, 10_000 + seed)["true_return_mean"]
            results[str(b)].append(ret)
            print(f"seed {seed} labels {b}: return {ret:.1f} ({secs:.0f} s, reward-model accuracy "
                  f"{cb.metrics.get('val_accuracy', float('nan')):.2f})", flush=True)
    ref = float(np.mean(results["true_reward"]))
    rows = [["true reward", "-", ref, float(np.std(results["true_reward"])), 1.0]]
    for b in budgets:
        m = float(np.mean(results[str(b)]))
        rows.append(["learned reward", b, m, float(np.std(results[str(b)])), m / ref if ref else float("nan")])
    print_table(f"Fixed-horizon CartPole, PPO {args.steps} steps, {args.seeds} seeds (target: >= 0.95 of true reward, <= 500 labels)",
                ["agent trained on", "labels", "return mean", "return std", "fraction of true-reward return"], rows)
    (out / "results.json").write_text(json.dumps({"args": vars(args), "returns": results,
                                                  "wall_seconds": time.time() - started}, indent=2))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.errorbar(budgets, [np.mean(results[str(b)]) for b in budgets], [np.std(results[str(b)]) for b in budgets],
                marker="o", label="PPO on learned reward")
    ax.axhline(ref, color="k", ls="--", label="PPO on true reward")
    ax.set(xlabel="preference labels", ylabel="true return", title="Fixed-horizon CartPole")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "plot.png", dpi=120)
    print(f"wrote {out / 'results.json'} and {out / 'plot.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, f in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=type(f.default), default=f.default)
    main(Args(**vars(parser.parse_args())))
