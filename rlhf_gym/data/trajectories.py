"""Expert demonstrations: collect them, and keep them on disk in an open format.

A demonstration set is a folder: ``metadata.json`` (the spaces, the env id) plus one
``episode_NNNNNN.npz`` per episode and one line per episode in ``episodes.jsonl`` (its
length, returns and JSON infos). Each episode is written, flushed and fsynced as soon as it
ends, so a run that stops loses at most the episode in progress; a damaged episode costs that
episode only (see ``demo_store.py``, which writes and reads the folder). No pickle anywhere:
npz is read with ``allow_pickle=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import gymnasium as gym
import numpy as np


FORMAT_VERSION = 1


@dataclass
class Trajectory:
    """One episode: ``obs`` has one more entry than ``actions`` (the final observation)."""

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    true_rewards: np.ndarray
    terminated: bool
    truncated: bool
    infos: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def true_return(self) -> float:
        return float(np.sum(self.true_rewards))


# --------------------------------------------------------------------------- experts
def query_expert(expert: Any, obs: Any, action_space: gym.Space) -> Any:
    """Ask ``expert`` for its action in one observation and check it lies in ``action_space``.

    ``expert`` is anything with SB3's batched ``predict`` (asked with a batch of one) or a plain
    callable ``obs -> action`` (a person at a keyboard, a scripted controller). An action outside
    the space is an error: training on it would teach the learner something the env refuses.
    """
    if hasattr(expert, "predict"):
        batch = np.asarray(obs)[None]
        actions, _ = expert.predict(batch, deterministic=True)
        action = np.asarray(actions)[0]
    elif callable(expert):
        action = expert(obs)
    else:
        raise TypeError(
            f"expert: {type(expert).__name__!r} has no predict method and is not callable; "
            "allowed: an object with SB3's predict(obs, ...) or a callable obs -> action"
        )
    return check_action(action, action_space, "expert")


def check_action(action: Any, space: gym.Space, who: str = "action") -> Any:
    """Return ``action`` in the space's own type, or raise ValueError saying what was allowed."""
    if isinstance(space, gym.spaces.Discrete):
        value = np.asarray(action)
        if value.size != 1 or not np.issubdtype(value.dtype, np.integer):
            if value.size == 1 and np.issubdtype(value.dtype, np.floating) and float(value) == int(value):
                value = value.astype(np.int64)
            else:
                raise ValueError(f"{who}: returned action {action!r}; allowed: one integer in {space}")
        index = int(value.reshape(()))
        if not space.contains(np.int64(index)):
            raise ValueError(f"{who}: returned action {index} outside the action space {space}")
        return np.int64(index)
    if isinstance(space, gym.spaces.Box):
        value = np.asarray(action, dtype=np.float64)
        if value.shape != space.shape:
            raise ValueError(f"{who}: returned action of shape {value.shape}; allowed: shape {space.shape} of {space}")
        if not np.all(np.isfinite(value)) or np.any(value < space.low) or np.any(value > space.high):
            raise ValueError(f"{who}: returned action {value.tolist()} outside the action space {space}")
        return value.astype(space.dtype)
    if not space.contains(action):
        raise ValueError(f"{who}: returned action {action!r} outside the action space {space}")
    return action


# --------------------------------------------------------------------------- spaces as JSON
def describe_space(space: gym.Space) -> dict:
    """A JSON description of a space, compared on load to catch demos from a different env."""
    if isinstance(space, gym.spaces.Discrete):
        return {"type": "Discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, gym.spaces.Box):
        low, high = np.asarray(space.low), np.asarray(space.high)
        same = bool(np.all(low == low.flat[0]) and np.all(high == high.flat[0]))
        return {
            "type": "Box",
            "shape": list(space.shape),
            "dtype": str(space.dtype),
            "low": float(low.flat[0]) if same else low.tolist(),
            "high": float(high.flat[0]) if same else high.tolist(),
        }
    if isinstance(space, gym.spaces.MultiDiscrete):
        return {"type": "MultiDiscrete", "nvec": np.asarray(space.nvec).tolist()}
    if isinstance(space, gym.spaces.MultiBinary):
        return {"type": "MultiBinary", "n": np.asarray(space.n).tolist()}
    raise ValueError(
        f"space: {space} is not supported for demonstrations; allowed: Discrete, Box, MultiDiscrete, MultiBinary"
    )


def _json_safe(value: Any, where: str) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise TypeError(
        f"{where}: value of type {type(value).__name__} cannot be stored as JSON; pass info_keys= to choose "
        "which info keys to keep (allowed values: numbers, bools, strings, lists, dicts, numpy arrays)"
    )


# --------------------------------------------------------------------------- collection
def collect_demonstrations(
    env: gym.Env,
    expert: Any,
    n_episodes: int,
    rng: np.random.Generator,
    *,
    path: str | Path | None = None,
    env_id: str | None = None,
    info_keys: Iterable[str] | None = None,
    progress: bool = False,
) -> list[Trajectory]:
    """Roll out ``expert`` for ``n_episodes`` episodes, each reset with a seed drawn from ``rng``.

    With ``path`` every finished episode is appended to that demonstration folder at once.
    ``info_keys`` selects the info entries kept (all by default).
    """
    if not isinstance(n_episodes, (int, np.integer)) or isinstance(n_episodes, bool) or n_episodes < 1:
        raise ValueError(f"n_episodes: {n_episodes!r}; allowed: an integer >= 1")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: {type(rng).__name__}; allowed: a numpy.random.Generator (np.random.default_rng(seed))")
    keys = None if info_keys is None else list(info_keys)
    writer = None
    if path is not None:
        from rlhf_gym.data.demo_store import DemoWriter

        writer = DemoWriter(path, env.observation_space, env.action_space, env_id=env_id)
    episodes = range(int(n_episodes))
    if progress:
        from tqdm.auto import tqdm

        episodes = tqdm(episodes, desc="demonstrations", unit="ep")
    out = []
    try:
        for _ in episodes:
            traj = rollout_episode(env, expert, seed=int(rng.integers(2**31 - 1)), info_keys=keys)
            if writer is not None:
                writer.append(traj)
            out.append(traj)
    finally:
        if writer is not None:
            writer.close()
    return out


def rollout_episode(env: gym.Env, expert: Any, seed: int | None, info_keys: list[str] | None = None) -> Trajectory:
    """One episode of ``expert`` in ``env`` (true reward from ``info['true_reward']``, else the reward)."""
    obs, _ = env.reset(seed=seed)
    observations, actions, rewards, true_rewards, infos = [obs], [], [], [], []
    terminated = truncated = False
    while not (terminated or truncated):
        action = query_expert(expert, obs, env.action_space)
        obs, reward, terminated, truncated, info = env.step(action)
        observations.append(obs)
        actions.append(action)
        rewards.append(float(reward))
        true_rewards.append(float(info.get("true_reward", reward)))
        kept = info if info_keys is None else {k: info[k] for k in info_keys if k in info}
        infos.append(_json_safe(kept, "info"))
    return Trajectory(
        obs=np.asarray(observations),
        actions=np.asarray(actions),
        rewards=np.asarray(rewards, dtype=np.float64),
        true_rewards=np.asarray(true_rewards, dtype=np.float64),
        terminated=bool(terminated),
        truncated=bool(truncated),
        infos=infos,
    )


def flatten_demonstrations(trajectories: list[Trajectory]) -> tuple[np.ndarray, np.ndarray]:
    """(observations, actions) of every step, the input of behavioural cloning."""
    if len(trajectories) == 0:
        raise ValueError("trajectories: an empty demonstration set; allowed: at least one episode with one step")
    obs = np.concatenate([t.obs[: len(t)] for t in trajectories])
    actions = np.concatenate([t.actions for t in trajectories])
    if len(actions) == 0:
        raise ValueError("trajectories: every episode is empty; allowed: at least one step")
    return obs, actions


def check_demonstrations_match(trajectories: list[Trajectory], env: gym.Env) -> None:
    """Raise ValueError when the demos' observations or actions do not belong to ``env``'s spaces."""
    if len(trajectories) == 0:
        raise ValueError("trajectories: an empty demonstration set; allowed: at least one episode")
    obs_space, act_space = env.observation_space, env.action_space
    first = trajectories[0]
    obs_shape = np.asarray(first.obs).shape[1:]
    if obs_space.shape is not None and tuple(obs_shape) != tuple(obs_space.shape):
        raise ValueError(
            f"trajectories: observations of shape {tuple(obs_shape)} do not match the env's observation_space {obs_space}"
        )
    act_shape = np.asarray(first.actions).shape[1:]
    if act_space.shape is not None and tuple(act_shape) != tuple(act_space.shape):
        raise ValueError(f"trajectories: actions of shape {tuple(act_shape)} do not match the env's action_space {act_space}")
    if isinstance(act_space, gym.spaces.Discrete):
        acts = np.concatenate([np.asarray(t.actions).reshape(-1) for t in trajectories])
        bad = acts[(acts < act_space.start) | (acts >= act_space.start + act_space.n)]
        if bad.size:
            raise ValueError(f"trajectories: action {bad[0]!r} outside the env's action_space {act_space}")


__all__ = [
    "Trajectory",
    "check_action",
    "check_demonstrations_match",
    "collect_demonstrations",
    "describe_space",
    "flatten_demonstrations",
    "query_expert",
    "rollout_episode",
]
