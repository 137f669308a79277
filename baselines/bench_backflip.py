"""Backflip checks used while tuning: expert/random success, PPO learnability.

Why a script and not a test: PPO training takes minutes. The env's speed against
CartPole-v1 is measured by baselines/bench_envs.py.

    python baselines/bench_backflip.py expert            # expert and random success over 50 seeds
    python baselines/bench_backflip.py ppo --evals 6 --seed 0   # the "backflip-true" preset: PPO 300k steps
    python baselines/bench_backflip.py ppo --seeds 6 --seed 0 --evals 1   # seeds 0-5, a summary line
    python baselines/bench_backflip.py ppo --seeds 6 --evals 1 --set train_env_kwargs.crash_penalty=0.5   # a cheaper crash
    python baselines/bench_backflip.py ppo --seeds 3 --evals 2 --set agent.steps=500000 \
        --set train_env_kwargs.crash_penalty=0 --set train_env_kwargs.stand_reward=0.3 --set agent.kwargs.ent_coef=0.01

PPO's settings are the "backflip-true" preset's (``rlhf-gym presets backflip-true``); ``--set`` changes
them as ``rlhf-gym train --set`` does. Training uses ``train_env_kwargs``; evaluation the default env.
Measured: expert 1.00 success, random 0.00; PPO succeeds on some seeds and not on others
(docs/results.md, "Experts and PPO on the true reward").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import rlhf_gym  # noqa: F401  (registers the env ids)

ENV_ID = "rlhf_gym/Backflip-v0"


@dataclass
class Args:
    mode: str = "expert"  # expert | ppo
    seed: int = 0  # seed for PPO and the evaluation episodes (the first one with --seeds)
    seeds: int = 1  # PPO: train seeds seed .. seed + seeds - 1 one after another
    episodes: int = 50  # evaluation episodes
    evals: int = 4  # PPO evaluations spread over training
    set: list = dataclasses.field(default_factory=list)  # PPO: overrides of the "backflip-true" preset, KEY=VALUE
    out: str = ""  # optional path for a JSON summary (and PPO model as .zip next to it)


def run_episodes(policy, episodes: int, seed: int) -> dict:
    """Roll ``policy(obs) -> action`` for whole episodes; success, return, flips."""
    env = gym.make(ENV_ID)
    success, returns, flips = [], [], []
    for k in range(episodes):
        obs, info = env.reset(seed=seed + k)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, info = env.step(policy(obs))
            total += reward
            done = terminated or truncated
        success.append(info["is_success"])
        returns.append(total)
        flips.append(info["flips"])
    return {"success_rate": float(np.mean(success)), "return_mean": float(np.mean(returns)),
            "return_std": float(np.std(returns)), "flips_mean": float(np.mean(flips))}


def bench_expert(args: Args) -> dict:
    from rlhf_gym.experts import expert_for

    expert = expert_for(gym.make(ENV_ID))
    rng = np.random.default_rng(args.seed)
    rows = {
        "expert": run_episodes(lambda o: expert.predict(o)[0], args.episodes, args.seed),
        "random": run_episodes(lambda o: rng.uniform(-1, 1, 2).astype(np.float32),
                               args.episodes, args.seed),
    }
    _table(rows)
    return rows


def _config(args: Args):
    """The "backflip-true" preset with ``--set`` and the seed applied."""
    from rlhf_gym import presets

    return presets.load("backflip-true").with_overrides([*args.set, f"seed={args.seed}"])


def bench_ppo(args: Args) -> dict:
    if args.seeds > 1:  # one run per seed, then the success of each run's last evaluation
        runs = {s: bench_ppo(dataclasses.replace(args, seed=s, seeds=1, out=""))
                for s in range(args.seed, args.seed + args.seeds)}
        final = {s: r["checkpoints"][max(r["checkpoints"])]["success_rate"] for s, r in runs.items()}
        print(f"PPO {_config(args).agent.steps} steps, seeds {args.seed}-{args.seed + args.seeds - 1}: success "
              + ", ".join(f"{v:.2f}" for v in final.values())
              + f"; {sum(v >= 0.8 for v in final.values())} of {len(final)} runs >= 0.8", flush=True)
        return {"runs": runs, "final_success": final}
    import torch

    from rlhf_gym.rlhf.pipeline import make_agent, make_venv

    torch.set_num_threads(1)
    cfg = _config(args)
    model = make_agent(cfg, make_venv(cfg))
    hyper = cfg.agent.kwargs
    start = time.perf_counter()
    checkpoints = {}
    chunk = max(cfg.agent.steps // args.evals, cfg.agent.n_envs * hyper.get("n_steps", 2048))
    done_steps = 0
    while done_steps < cfg.agent.steps:
        model.learn(chunk, reset_num_timesteps=False, progress_bar=False)
        done_steps = model.num_timesteps
        result = run_episodes(lambda o: model.predict(o, deterministic=True)[0],
                              args.episodes, 10_000 + args.seed)
        checkpoints[done_steps] = result
        print(f"{done_steps:>8} steps  {time.perf_counter() - start:6.0f} s  "
              f"success {result['success_rate']:.2f}  return {result['return_mean']:.2f}  "
              f"flips {result['flips_mean']:.2f}", flush=True)
    if args.out:
        model.save(args.out.rsplit(".", 1)[0] + "_ppo.zip")
    return {"hyper": hyper, "config": cfg.to_dict(), "wall_seconds": time.perf_counter() - start,
            "checkpoints": checkpoints}


def _table(rows: dict) -> None:
    print("| policy | success | return | flips |\n|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['success_rate']:.2f} | {r['return_mean']:.2f} ± "
              f"{r['return_std']:.2f} | {r['flips_mean']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for field in dataclasses.fields(Args):
        name = "--" + field.name.replace("_", "-")
        if field.name == "mode":
            parser.add_argument("mode", nargs="?", default=field.default,
                                choices=["expert", "ppo"])
        elif field.name == "set":
            parser.add_argument("--set", dest="set", action="append", default=[], metavar="KEY=VALUE")
        else:
            parser.add_argument(name, type=type(field.default), default=field.default)
    args = Args(**vars(parser.parse_args()))
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds}: allowed: an integer >= 1")
    result = {"expert": bench_expert, "ppo": bench_ppo}[args.mode](args)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump({"args": dataclasses.asdict(args), "result": result}, handle, indent=2,
                      default=str)


if __name__ == "__main__":
    main()
