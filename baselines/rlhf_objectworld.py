"""Preference learning on a 16x16 ObjectWorld: labels -> learned reward -> optimal policy -> true return.

Target (issue 3): with at most 200 synthetic labels, the optimal policy of the learned reward gets
at least 95% of the optimal true return. Clips come from a uniformly random policy; the reward model
is a table over the next state (one number per cell) or linear in the state features; the policy is
value iteration's on the learned reward, and its true return is computed exactly from the model.

    python baselines/rlhf_objectworld.py [--seeds 3] [--labels 50 100 200]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
import torch

import rlhf_gym  # noqa: F401
from rlhf_gym.commands.common import format_table
from rlhf_gym.planning import finite_horizon_value_iteration, policy_evaluation
from rlhf_gym.feedback import SyntheticTeacher, collect_segments, random_pairs
from rlhf_gym.rewards import RewardModel, RewardTrainer


@dataclass
class Args:
    size: int = 16
    """ObjectWorld side length"""
    labels: list = field(default_factory=lambda: [50, 100, 200])
    """label budgets"""
    error_rates: list = field(default_factory=lambda: [0.0, 0.1])
    """synthetic teacher mistake rates"""
    models: list = field(default_factory=lambda: ["features", "table"])
    """reward models: linear in state features, or one number per state"""
    seeds: int = 3
    """seeds per setting"""
    segment_length: int = 25
    """steps per clip"""
    n_segments: int = 400
    """clips to choose pairs from"""


def true_return_of_learned_reward(base, learned: np.ndarray) -> float:
    """Exact expected true return of value iteration's (time-indexed) policy for ``learned``."""
    plan = finite_horizon_value_iteration(base.transition_sparse, learned, base.horizon, base.n_actions,
                                          terminal=base.terminal_states)
    values = policy_evaluation(base.transition_sparse, base.state_rewards, plan.policy, base.horizon,
                               base.n_actions, terminal=base.terminal_states)
    return float(base.initial_state_distribution @ values)


def run_one(args: Args, n_labels: int, error_rate: float, kind: str, seed: int) -> dict:
    env = gym.make("rlhf_gym/ObjectWorld-v0", size=args.size)
    base = env.unwrapped
    rng = np.random.default_rng(seed)
    segments = collect_segments(env, args.n_segments, args.segment_length, rng)
    pairs = [(segments[i], segments[j]) for i, j in random_pairs(len(segments), n_labels, rng)]
    labels = SyntheticTeacher(rng, error_rate=error_rate).label_pairs(pairs)
    features = base.state_features if kind == "features" else None
    model = RewardModel(env.observation_space, env.action_space, kind="linear", inputs=("next_obs",),
                        features=features, seed=seed)
    metrics = RewardTrainer(model, np.random.default_rng(seed), max_epochs=300, patience=20,
                            assumed_error_rate=error_rate).train(pairs, labels)
    learned = model(None, None, np.arange(base.n_states))
    return {
        "return": true_return_of_learned_reward(base, learned),
        "pearson": float(np.corrcoef(learned, base.state_rewards)[0, 1]),
        "val_accuracy": metrics.get("val_accuracy", float("nan")),
    }


def main(args: Args) -> None:
    torch.set_num_threads(1)
    base = gym.make("rlhf_gym/ObjectWorld-v0", size=args.size).unwrapped
    optimal = true_return_of_learned_reward(base, base.state_rewards)
    random_return = float(base.initial_state_distribution @ policy_evaluation(
        base.transition_sparse, base.state_rewards, np.zeros(base.n_states, dtype=int), base.horizon,
        base.n_actions, terminal=base.terminal_states))
    rows, start = [], time.time()
    for kind in args.models:
        for error_rate in args.error_rates:
            for n_labels in args.labels:
                runs = [run_one(args, n_labels, error_rate, kind, seed) for seed in range(args.seeds)]
                ratios = np.array([r["return"] / optimal for r in runs])
                rows.append([kind, error_rate, n_labels, float(ratios.mean()), float(ratios.min()),
                             float(np.mean([r["pearson"] for r in runs])), "yes" if ratios.min() >= 0.95 else "no"])
                print(f"{kind} eps={error_rate} labels={n_labels}: ratio {ratios.mean():.3f} (min {ratios.min():.3f})", flush=True)
    print(f"\nObjectWorld {args.size}x{args.size}: optimal true return {optimal:.3f}; "
          f"always-up policy {random_return:.3f}; {args.seeds} seeds; {time.time() - start:.0f} s\n")
    print(format_table(["reward model", "teacher ε", "labels", "return / optimal (mean)", "min over seeds",
                        "Pearson r", ">= 0.95 every seed"], rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=Args.size)
    parser.add_argument("--labels", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--error-rates", type=float, nargs="+", default=[0.0, 0.1])
    parser.add_argument("--models", nargs="+", default=["features", "table"], choices=["features", "table"])
    parser.add_argument("--seeds", type=int, default=Args.seeds)
    parser.add_argument("--segment-length", type=int, default=Args.segment_length)
    parser.add_argument("--n-segments", type=int, default=Args.n_segments)
    main(Args(**vars(parser.parse_args())))
