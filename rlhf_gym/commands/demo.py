"""``rlhf-gym demo``: the main job on embedded defaults, a few minutes on a laptop.

It trains Stable-Baselines3 PPO on GridWorld and Backflip with the true reward and prints the
return of a random policy, PPO and the expert side by side.
"""

from __future__ import annotations

import argparse
import json
import time

from rlhf_gym.commands import common

DEMO_ENVS = ("rlhf_gym/GridWorld-v0", "rlhf_gym/Backflip-v0")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="train PPO on GridWorld and Backflip and compare with random and expert")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a tenth of the training steps")
    parser.add_argument("--episodes", type=int, default=20, help="evaluation episodes per policy (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random generator (default: %(default)s)")
    parser.add_argument("--out", default=None, metavar="DIR", help="output folder (default: runs/demo-<seed>-<time>)")
    parser.set_defaults(func=run, env="demo")


def train_ppo(env_id: str, seed: int, steps_scale: float, progress: bool):
    """Train SB3 PPO on the true reward with the env's preset; return (model, steps)."""
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from rlhf_gym.presets import ppo_preset

    torch.manual_seed(seed)  # SB3 seeds torch itself too; explicit for the policy's initial weights
    n_envs, steps, kwargs = ppo_preset(env_id)
    steps = max(int(steps * steps_scale), n_envs * kwargs.get("n_steps", 2048))
    venv = make_vec_env(env_id, n_envs=n_envs, seed=seed)
    model = PPO("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, **kwargs)
    model.learn(total_timesteps=steps, progress_bar=progress)
    venv.close()
    return model, steps


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym

    import rlhf_gym  # noqa: F401
    from rlhf_gym.experts import expert_for

    directory = common.out_dir(args, "demo")
    started = time.time()
    rows, results = [], {}
    for env_id in DEMO_ENVS:
        env = gym.make(env_id)
        print(f"\n== {env_id}: training PPO on the true reward", flush=True)
        t0 = time.time()
        model, steps = train_ppo(env_id, args.seed, 0.1 if args.quick else 1.0, progress=True)
        model.save(directory / f"ppo_{env_id.split('/')[-1]}.zip")
        evals = {
            "random": common.run_episodes(env, common.random_actor(env, args.seed), args.episodes, 10_000),
            "ppo": common.run_episodes(env, common.policy_actor(model), args.episodes, 10_000),
            "expert": common.run_episodes(env, common.policy_actor(expert_for(env)), args.episodes, 10_000),
        }
        env.close()
        for name, summary in evals.items():
            rows.append([env_id, name, summary["true_return_mean"], summary["true_return_std"], summary.get("success_rate", "-")])
        results[env_id] = {"ppo_steps": steps, "train_seconds": time.time() - t0, **{k: v for k, v in evals.items()}}
    common.print_table("True return (mean ± std over evaluation episodes)", ["env", "policy", "mean", "std", "success"], rows)
    (directory / "demo.json").write_text(json.dumps({"wall_seconds": time.time() - started, "envs": results}, indent=2))
    print(f"wrote {directory / 'demo.json'} in {time.time() - started:.0f} s")
    return 0
