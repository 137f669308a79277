"""Steps per second of each rlhf_gym env against gymnasium's reference envs, in one process.

Targets (issue 2): GridWorld >= 1.0x FrozenLake-v1, Backflip >= 0.25x CartPole-v1.
Also times value iteration on a 256x256 ObjectWorld (65,536 states), horizon 100: target < 2 s.

    python baselines/bench_envs.py [--steps 50000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import gymnasium as gym

import rlhf_gym  # noqa: F401


@dataclass
class Args:
    steps: int = 50_000
    """env steps per timing"""
    repeats: int = 3
    """timings per env; the best is kept"""
    seed: int = 0
    """seed of the env and of the pre-drawn actions"""


PAIRS = (
    ("rlhf_gym/GridWorld-v0", {}, "FrozenLake-v1", 1.0),
    ("rlhf_gym/GridWorld-v0", {"slip": 0.2}, "FrozenLake-v1", 1.0),
    ("rlhf_gym/ObjectWorld-v0", {}, "FrozenLake-v1", 1.0),
    ("rlhf_gym/Backflip-v0", {}, "CartPole-v1", 0.25),
)


def steps_per_second(env_id: str, kwargs: dict, args: Args) -> float:
    """Best-of-``repeats`` steps/s through gym.make, actions drawn before the clock starts."""
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


def value_iteration_seconds(size: int, horizon: int) -> float:
    from rlhf_gym.experts.value_iteration import TabularExpert

    env = gym.make("rlhf_gym/ObjectWorld-v0", size=size, horizon=horizon).unwrapped
    start = time.perf_counter()
    TabularExpert(env)
    return time.perf_counter() - start


def main(args: Args) -> None:
    cache: dict[str, float] = {}
    rows = []
    for env_id, kwargs, reference, target in PAIRS:
        ours = steps_per_second(env_id, kwargs, args)
        if reference not in cache:
            cache[reference] = steps_per_second(reference, {}, args)
        ratio = ours / cache[reference]
        name = env_id + (f" {kwargs}" if kwargs else "")
        rows.append(f"| {name} | {ours:,.0f} | {reference} | {cache[reference]:,.0f} | {ratio:.2f}x | >= {target}x | {'yes' if ratio >= target else 'NO'} |")
    print("| env | steps/s | reference | reference steps/s | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    seconds = value_iteration_seconds(256, 100)
    print(f"\n| value iteration | states | horizon | seconds | target |\n|---|---|---|---|---|\n| ObjectWorld 256x256 | {256*256:,} | 100 | {seconds:.2f} | < 2 s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for field, default in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{field}", type=type(default.default), default=default.default)
    main(Args(**vars(parser.parse_args())))
