"""Arguments, env construction, evaluation and results.json shared by every training command.

Every training command takes ``--env ID --env-kwargs JSON --seed N --out DIR`` and writes
``DIR/results.json`` with the same keys, so runs of different methods compare directly.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any, Sequence

import gymnasium as gym
import numpy as np

REQUIRED_RESULT_KEYS = ("true_return_mean", "true_return_std", "labels_used", "wall_seconds")


def add_common_args(parser: argparse.ArgumentParser, default_env: str = "rlhf_gym/GridWorld-v0") -> None:
    """Add --env, --env-kwargs, --seed and --out to a subcommand's parser."""
    parser.add_argument("--env", default=default_env, help="any registered gymnasium id (default: %(default)s)")
    parser.add_argument(
        "--env-kwargs", default="{}", metavar="JSON", help='keyword arguments for gym.make, e.g. \'{"slip": 0.1}\''
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random generator (default: %(default)s)")
    parser.add_argument("--out", default=None, metavar="DIR", help="output folder (default: runs/<command>__<env>__<seed>__<time>)")


def env_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Parse ``--env-kwargs``; a clear error when it is not a JSON object."""
    text = getattr(args, "env_kwargs", "{}") or "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"--env-kwargs: {text!r} is not valid JSON ({err.msg}); expected an object like '{{\"slip\": 0.1}}'") from None
    if not isinstance(value, dict):
        raise ValueError(f"--env-kwargs: {text!r} is a JSON {type(value).__name__}; expected a JSON object")
    return value


def check_env_id(env_id: str) -> None:
    """Fail early, naming the id, when ``env_id`` is not registered."""
    import rlhf_gym  # noqa: F401  (registers our ids)

    if env_id not in gym.registry:
        ours = ", ".join(sorted(k for k in gym.registry if k.startswith("rlhf_gym/")))
        raise ValueError(f"--env: {env_id!r} is not a registered gymnasium id; ours are: {ours}")


def make_env(args: argparse.Namespace, **overrides: Any) -> gym.Env:
    """``gym.make(args.env, **env_kwargs(args), **overrides)``."""
    check_env_id(args.env)
    return gym.make(args.env, **{**env_kwargs(args), **overrides})


def out_dir(args: argparse.Namespace, command: str) -> Path:
    """The run folder, named from command, env, seed and time as in CleanRL, created."""
    if args.out:
        path = Path(args.out)
    else:
        env_part = [args.env.replace("/", "_")] if getattr(args, "env", None) else []
        path = Path("runs") / "__".join([command, *env_part, str(args.seed), str(int(time.time()))])
    path.mkdir(parents=True, exist_ok=True)
    return path


def episode_outcome(infos_last: dict, total_true: float) -> dict[str, Any]:
    """Success (Backflip: flips >= 1 and landed upright at the last step) where the env reports it."""
    if "flips" in infos_last and "landed_upright" in infos_last:
        return {"success": bool(infos_last["flips"] >= 1 and infos_last["landed_upright"])}
    return {}


def run_episodes(env: gym.Env, act, n_episodes: int, seed: int) -> dict[str, Any]:
    """Roll out ``act(obs) -> action`` for ``n_episodes`` seeded episodes; summarise true return and success.

    The true return sums ``info["true_reward"]`` (falling back to the env reward for envs that lack it).
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes: {n_episodes!r}; allowed: an integer >= 1")
    returns, successes = [], []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        total, done, info = 0.0, False, {}
        while not done:
            obs, reward, terminated, truncated, info = env.step(act(obs))
            total += float(info.get("true_reward", reward))
            done = terminated or truncated
        returns.append(total)
        outcome = episode_outcome(info, total)
        if "success" in outcome:
            successes.append(outcome["success"])
    summary: dict[str, Any] = {
        "true_return_mean": float(np.mean(returns)),
        "true_return_std": float(np.std(returns)),
        "episodes": n_episodes,
    }
    if successes:
        summary["success_rate"] = float(np.mean(successes))
    return summary


def policy_actor(policy, deterministic: bool = True):
    """Turn anything with SB3's ``predict`` into ``act(obs) -> action``."""

    def act(obs):
        action, _ = policy.predict(obs, deterministic=deterministic)
        return action

    return act


def random_actor(env: gym.Env, seed: int):
    """Uniform random actions from a seeded copy of the action space."""
    space = env.action_space
    space.seed(seed)
    return lambda obs: space.sample()


def evaluate_true_return(policy, env_id: str, env_kwargs: dict | None = None, n_episodes: int = 20, seed: int = 10_000,
                         deterministic: bool = True) -> dict[str, Any]:
    """Evaluate a policy (SB3 model or expert) on fresh seeded episodes of ``env_id``
    (``deterministic=False``: an SB3 policy samples its actions; seed torch to repeat them)."""
    env = gym.make(env_id, **(env_kwargs or {}))
    try:
        return run_episodes(env, policy_actor(policy, deterministic), n_episodes, seed)
    finally:
        env.close()


def write_results(directory: str | Path, results: dict[str, Any]) -> Path:
    """Write ``results.json``; refuse when a required key is missing or a number is not finite."""
    missing = [key for key in REQUIRED_RESULT_KEYS if key not in results]
    if missing:
        raise ValueError(f"results: missing required keys {missing}; required: {list(REQUIRED_RESULT_KEYS)}")
    for key, value in results.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"results[{key!r}]: {value!r} is not a finite number")
    path = Path(directory) / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return path


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; floats get 3 significant decimals."""

    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a titled markdown table to stdout."""
    print(f"\n### {title}\n")
    print(format_table(headers, rows))
    print(flush=True)
