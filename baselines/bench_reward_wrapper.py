"""Cost of VecLearnedReward: PPO's training throughput with an MLP reward model against
the same PPO on the raw env, timed in one process (a ratio, so the machine cancels out).

Target (issue 3): the wrapped run keeps >= 85% of the raw run's steps per second.

    python baselines/bench_reward_wrapper.py [--env rlhf_gym/Backflip-v0] [--steps 20000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import torch

import rlhf_gym  # noqa: F401


@dataclass
class Args:
    env: str = "rlhf_gym/Backflip-v0"
    """env id (PPO settings from rlhf_gym.presets)"""
    steps: int = 20_000
    """PPO timesteps per timing"""
    repeats: int = 2
    """timings per variant, alternating raw / wrapped; the best is kept"""
    ensemble: int = 3
    """reward-model ensemble members (all evaluated every step)"""
    seed: int = 0
    """seed of envs and agents"""
    threads: int = 1
    """torch threads (set here, in the script)"""


def steps_per_second(args: Args, wrapped: bool) -> float:
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.presets import agent_for
    from rlhf_gym.rewards import RewardModel
    from rlhf_gym.wrappers import VecLearnedReward

    agent = agent_for(args.env)
    venv = make_vec_env(args.env, n_envs=agent.n_envs, seed=args.seed)
    if wrapped:
        venv = VecLearnedReward(venv, RewardModel.for_env(venv, kind="mlp", ensemble_size=args.ensemble))
    model = PPO("MlpPolicy", venv, seed=args.seed, device="cpu", **agent.kwargs)
    start = time.perf_counter()
    model.learn(args.steps)
    elapsed = time.perf_counter() - start
    venv.close()
    return model.num_timesteps / elapsed


def main(args: Args) -> None:
    torch.set_num_threads(args.threads)
    raw, wrapped = 0.0, 0.0
    for _ in range(args.repeats):
        raw = max(raw, steps_per_second(args, wrapped=False))
        wrapped = max(wrapped, steps_per_second(args, wrapped=True))
    ratio = wrapped / raw
    print(f"| env | PPO steps/s raw | with VecLearnedReward (MLP x{args.ensemble}) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    print(f"| {args.env} | {raw:,.0f} | {wrapped:,.0f} | {ratio:.3f} | >= 0.85 | {'yes' if ratio >= 0.85 else 'NO'} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for field, default in Args.__dataclass_fields__.items():
        parser.add_argument(f"--{field}", type=type(default.default), default=default.default)
    main(Args(**vars(parser.parse_args())))
