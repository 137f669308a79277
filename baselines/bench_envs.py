"""Speed of the envs and of value iteration, measured against references in the same process.

Targets (issue 2): GridWorld step() through gym.make >= 1.0x FrozenLake-v1; Backflip >= 0.25x
CartPole-v1 (MuJoCo's Hopper-v5 runs at about 0.06x); finite-horizon value iteration on a 256x256
ObjectWorld (65,536 states), horizon 100, under 2 s. Prints two markdown tables.

    python baselines/bench_envs.py [--steps 50000] [--repeats 3] [--horizon 100] [--sizes 16,64,128,256]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import gymnasium as gym

import rlhf_gym  # noqa: F401  (registers the ids)
from rlhf_gym.planning import finite_horizon_value_iteration


@dataclass
class Args:
    steps: int = 50_000
    """env steps per timing"""
    repeats: int = 3
    """timings per measurement; the best is kept"""
    horizon: int = 100
    """value-iteration horizon"""
    sizes: str = "16,64,128,256"
    """ObjectWorld sizes (comma separated) for the value-iteration table"""
    seed: int = 0
    """seed of the envs and of the pre-drawn actions"""


# (our env, its kwargs, reference env, target ratio or None for information only)
STEP_CASES = (
    ("rlhf_gym/GridWorld-v0", {}, "FrozenLake-v1", 1.0),
    ("rlhf_gym/GridWorld-v0", {"slip": 0.2}, "FrozenLake-v1", 1.0),
    ("rlhf_gym/ObjectWorld-v0", {}, "FrozenLake-v1", 1.0),
    ("rlhf_gym/GridWorld-v0", {"obs_type": "onehot"}, "FrozenLake-v1", None),
    ("rlhf_gym/GridWorld-v0", {"obs_type": "features"}, "FrozenLake-v1", None),
    ("rlhf_gym/GridWorld-v0", {"obs_type": "rgb"}, "FrozenLake-v1", None),
    ("rlhf_gym/Backflip-v0", {}, "CartPole-v1", 0.25),
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
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        finite_horizon_value_iteration(env.transition_sparse, env.state_rewards, args.horizon, env.n_actions,
                                       env.terminal_states)
        best = min(best, time.perf_counter() - start)
    return env.n_states, best


def main(args: Args) -> None:
    references: dict[str, float] = {}
    print("| env | steps/s | reference | reference steps/s | ratio | target |")
    print("|---|---|---|---|---|---|")
    for env_id, kwargs, reference, target in STEP_CASES:
        if reference not in references:
            references[reference] = steps_per_second(reference, {}, args)
        ours = steps_per_second(env_id, kwargs, args)
        ratio = ours / references[reference]
        verdict = "(info)" if target is None else f">= {target}x: {'met' if ratio >= target else 'NOT MET'}"
        name = env_id + (f" {kwargs}" if kwargs else "")
        print(f"| {name} | {ours:,.0f} | {reference} | {references[reference]:,.0f} | {ratio:.2f}x | {verdict} |")
    print("\n| ObjectWorld size | slip | states | horizon | seconds | target |")
    print("|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for slip in (0.0, 0.1):
            n_states, seconds = value_iteration_seconds(size, slip, args)
            target = ("met" if seconds < 2.0 else "NOT MET") + " (< 2 s)" if size == 256 else ""
            print(f"| {size}x{size} | {slip} | {n_states:,} | {args.horizon} | {seconds:.3f} | {target} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, spec in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{name}", type=type(spec.default), default=spec.default)
    main(Args(**vars(parser.parse_args())))
