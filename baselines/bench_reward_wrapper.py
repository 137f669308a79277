"""Cost of VecLearnedReward: PPO's training throughput with the env preset's reward model (an MLP,
3 members) against the same PPO on the raw env, timed in one process (a ratio: the machine cancels out).

PPO runs at ``n_epochs=1``, where stepping the envs is the largest share of its time and the reward's
share the largest it gets. Target (issue 24): the wrapped run keeps >= 90% of the raw run's steps
per second, on Backflip and on CartPole-v1. Two ways of wrapping are timed: rewards per step (any
SB3 agent) and ``at_rollout_end`` (on-policy agents, with the ``RolloutEndRewards`` callback; what
``rlhf-gym train`` uses for PPO and A2C). Backflip-v0, not v1: its episodes last 200 steps whatever
the agent does, so both runs reset as often and the ratio measures the wrapper, not a difference in
behaviour (on v1 a crash ends the episode, and an agent of an untrained reward crashes more).

    python baselines/bench_reward_wrapper.py [--envs rlhf_gym/Backflip-v0,CartPole-v1] [--steps 16384] [--repeats 5]
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

import rlhf_gym  # noqa: F401
from script_args import parse

TARGET = 0.90


@dataclass
class Args:
    envs: str = "rlhf_gym/Backflip-v0,CartPole-v1"
    """env ids, comma-separated (PPO settings and reward inputs from rlhf_gym.presets)"""
    steps: int = 16_384
    """PPO timesteps per timing"""
    repeats: int = 5
    """timings per variant, alternating raw / wrapped; the best of each is kept"""
    n_epochs: int = 1
    """PPO epochs per update (1: the reward's share of the time is largest)"""
    ensemble: int = 3
    """reward-model ensemble members (all evaluated every step)"""
    seed: int = 0
    """seed of envs, agents and reward model"""
    threads: int = 1
    """torch threads (set here, in the script)"""


def steps_per_second(args: Args, env_id: str, wrapped: str | None) -> float:
    """PPO's steps per second on ``env_id``: raw (``wrapped`` None), or under VecLearnedReward with
    rewards "per_step" or at the "rollout_end"."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.presets import for_env, load
    from rlhf_gym.rlhf.pipeline import make_reward_model
    from rlhf_gym.wrappers import RolloutEndRewards, VecLearnedReward

    cfg = load(for_env(env_id), env_id).with_overrides([f"reward.ensemble={args.ensemble}", f"seed={args.seed}"])
    venv = make_vec_env(env_id, n_envs=cfg.agent.n_envs, seed=args.seed)
    if wrapped:
        venv = VecLearnedReward(venv, make_reward_model(cfg, venv), at_rollout_end=wrapped == "rollout_end")
    model = PPO("MlpPolicy", venv, seed=args.seed, device="cpu", **{**cfg.agent.kwargs, "n_epochs": args.n_epochs})
    start = time.perf_counter()
    model.learn(args.steps, callback=RolloutEndRewards() if wrapped == "rollout_end" else None)
    elapsed = time.perf_counter() - start
    venv.close()
    return model.num_timesteps / elapsed


def main(args: Args) -> list[dict]:
    torch.set_num_threads(args.threads)
    rows = []
    print(f"| env | rewards | PPO steps/s raw | with VecLearnedReward (MLP x{args.ensemble}) | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for env_id in args.envs.split(","):
        best = {"raw": 0.0, "per_step": 0.0, "rollout_end": 0.0}
        for _ in range(args.repeats):  # alternating, so a slow spell of the machine hits every variant
            for variant in best:
                best[variant] = max(best[variant], steps_per_second(args, env_id, None if variant == "raw" else variant))
        for variant in ("per_step", "rollout_end"):
            ratio = best[variant] / best["raw"]
            rows.append({"env": env_id, "rewards": variant, "raw": best["raw"], "wrapped": best[variant], "ratio": ratio})
            print(f"| {env_id} | {variant.replace('_', ' ')} | {best['raw']:,.0f} | {best[variant]:,.0f} | {ratio:.3f} | "
                  f">= {TARGET:.2f} | {'yes' if ratio >= TARGET else 'NO'} |", flush=True)
    return rows


if __name__ == "__main__":
    main(parse(Args, __doc__))
