"""Speed of the GridWorld family: value iteration seconds, and step() against FrozenLake-v1.

Targets: finite-horizon value iteration on a 256x256 ObjectWorld (65,536 states), horizon 100,
in under 2 s; GridWorld step() through gym.make at least as fast as FrozenLake-v1's (ratio >= 1,
both measured in this process). Prints two markdown tables.

    python baselines/bench_value_iteration.py [--steps 50000] [--repeats 3] [--horizon 100]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import gymnasium as gym

import rlhf_gym  # noqa: F401  (registers the ids)
from rlhf_gym.experts.value_iteration import finite_horizon_value_iteration


@dataclass
class Args:
    steps: int = 50_000
    """env steps per step-speed timing"""
    repeats: int = 3
    """timings per measurement; the best is kept"""
    horizon: int = 100
    """value-iteration horizon"""
    sizes: str = "16,64,128,256"
    """ObjectWorld sizes (comma separated) for the value-iteration table"""
    seed: int = 0
    """seed of the envs and of the pre-drawn actions"""


STEP_CASES = (
    ("rlhf_gym/GridWorld-v0", {}),
    ("rlhf_gym/GridWorld-v0", {"slip": 0.2}),
    ("rlhf_gym/ObjectWorld-v0", {}),
    ("rlhf_gym/GridWorld-v0", {"obs_type": "onehot"}),
    ("rlhf_gym/GridWorld-v0", {"obs_type": "features"}),
    ("rlhf_gym/GridWorld-v0", {"obs_type": "rgb"}),
)


def steps_per_second(env_id: str, kwargs: dict, args: Args) -> float:
    """Best-of-``repeats`` steps/s through gym.make; actions are drawn before the clock starts."""
    env = gym.make(env_id, **kwargs)
    env.action_space.seed(args.seed)
    actions = [env.action_space.sample() for _ in range(args.steps)]
    best = 0.0
    for _ in range(args.repeats):
        env.reset(seed=args.seed)
        start = time.perf_counter()
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
        best = max(best, args.steps / (time.perf_counter() - start))
    env.close()
    return best


def value_iteration_seconds(size: int, slip: float, args: Args) -> tuple[int, float]:
    """Best-of-``repeats`` seconds of one finite-horizon solve (model already built)."""
    env = gym.make("rlhf_gym/ObjectWorld-v0", size=size, slip=slip).unwrapped
    P = env.transition_sparse
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        finite_horizon_value_iteration(P, env.state_rewards, args.horizon, env.n_actions, env.terminal_states)
        best = min(best, time.perf_counter() - start)
    return env.n_states, best


def main(args: Args) -> None:
    reference = steps_per_second("FrozenLake-v1", {}, args)
    print("| env | steps/s | FrozenLake-v1 steps/s | ratio | target |")
    print("|---|---|---|---|---|")
    for env_id, kwargs in STEP_CASES:
        ours = steps_per_second(env_id, kwargs, args)
        target = ">= 1.0x" if kwargs.get("obs_type", "index") == "index" else "(info)"
        name = env_id + (f" {kwargs}" if kwargs else "")
        print(f"| {name} | {ours:,.0f} | {reference:,.0f} | {ours / reference:.2f}x | {target} |")
    print("\n| ObjectWorld size | slip | states | horizon | seconds | target |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for slip in (0.0, 0.1):
            n_states, seconds = value_iteration_seconds(size, slip, args)
            target = "< 2 s" if size == 256 else ""
            print(f"| {size}x{size} | {slip} | {n_states:,} | {args.horizon} | {seconds:.3f} | {target} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for field, default in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{field}", type=type(default.default), default=default.default)
    main(Args(**vars(parser.parse_args())))
