"""Turning experience into clips: from a single gym env, or step by step from a VecEnv.

Why two entry points: baselines and tests roll out a policy in one env (and may want
frames for a human), while the online RLHF loop watches the agent's own batched
rollouts and must not step the env itself.
"""

from __future__ import annotations

from collections import deque

import gymnasium as gym
import numpy as np

from rlhf_gym.data.segments import Segment, cut_episode, reward_for_teacher


class EpisodeRecorder:
    """Accumulates transitions of ``n_envs`` parallel envs and cuts finished episodes
    (and over-long running ones) into clips of ``length``; keeps the newest ``capacity``."""

    def __init__(self, n_envs: int, length: int, rng: np.random.Generator, capacity: int = 5000):
        if not isinstance(n_envs, (int, np.integer)) or n_envs < 1:
            raise ValueError(f"EpisodeRecorder: n_envs={n_envs!r}; allowed: an integer >= 1")
        if not isinstance(length, (int, np.integer)) or length < 1:
            raise ValueError(f"EpisodeRecorder: length={length!r}; allowed: an integer >= 1")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"EpisodeRecorder: rng={rng!r}; allowed: a numpy Generator")
        self.n_envs, self.length, self.rng = int(n_envs), int(length), rng
        self.segments: deque[Segment] = deque(maxlen=int(capacity))
        self._open = [self._empty() for _ in range(self.n_envs)]
        self.total_steps = 0

    @staticmethod
    def _empty() -> dict[str, list]:
        return {k: [] for k in ("obs", "actions", "next_obs", "true_rewards", "dones")}

    def add(self, obs, actions, next_obs, true_rewards, dones, terminated=None) -> None:
        """Record one batched step; ``next_obs`` must already be the terminal observation
        for envs that finished (not the auto-reset one). ``terminated`` (default: dones)
        tells a real ending from a time limit."""
        terminated = dones if terminated is None else terminated
        for i in range(self.n_envs):
            ep = self._open[i]
            ep["obs"].append(np.array(obs[i]))
            ep["actions"].append(np.array(actions[i]))
            ep["next_obs"].append(np.array(next_obs[i]))
            ep["true_rewards"].append(float(true_rewards[i]))
            ep["dones"].append(bool(dones[i]))
            # Very long episodes are cut in chunks so the pool keeps refreshing.
            if dones[i] or len(ep["obs"]) >= 20 * self.length:
                self._close(i, bool(dones[i] and terminated[i]))
        self.total_steps += self.n_envs

    def _close(self, i: int, terminated: bool) -> None:
        ep = self._open[i]
        steps = {k: np.asarray(v) for k, v in ep.items()}
        self.segments.extend(cut_episode(steps, self.length, self.rng, terminated))
        self._open[i] = self._empty()

    def take(self) -> list[Segment]:
        """All clips cut so far (newest last); the pool keeps them."""
        return list(self.segments)


def _policy_actions(policy, obs, env: gym.Env):
    if policy is None:
        return env.action_space.sample()
    if hasattr(policy, "predict"):
        act, _ = policy.predict(np.asarray(obs)[None], deterministic=False)
        return act[0]
    return policy(obs)


def collect_segments(
    env: gym.Env,
    n_segments: int,
    length: int,
    rng: np.random.Generator,
    policy=None,
    with_frames: bool = False,
    max_steps: int | None = None,
) -> list[Segment]:
    """Roll out ``policy`` (None: uniform random actions; an SB3 model; or a callable
    obs -> action) in ``env`` until ``n_segments`` clips of ``length`` are cut.

    ``with_frames`` stores ``env.render()`` before each step (env made with
    render_mode="rgb_array"). The env is reset with seeds drawn from ``rng``.
    """
    if not isinstance(n_segments, (int, np.integer)) or n_segments < 1:
        raise ValueError(f"collect_segments: n_segments={n_segments!r}; allowed: an integer >= 1")
    if with_frames and getattr(env, "render_mode", None) != "rgb_array":
        raise ValueError(
            f"collect_segments: with_frames=True needs render_mode='rgb_array', env has "
            f"render_mode={getattr(env, 'render_mode', None)!r}"
        )
    env.action_space.seed(int(rng.integers(2**31)))
    limit = max_steps if max_steps is not None else 1000 * n_segments * length
    out: list[Segment] = []
    steps_taken = 0
    while len(out) < n_segments:
        obs, _ = env.reset(seed=int(rng.integers(2**31)))
        ep = {k: [] for k in ("obs", "actions", "next_obs", "true_rewards", "dones")}
        frames = []
        done = terminated = False
        while not done:
            if with_frames:
                frames.append(env.render())
            action = _policy_actions(policy, obs, env)
            next_obs, reward, terminated, truncated, info = env.step(action)
            done = bool(terminated or truncated)
            for key, val in (("obs", obs), ("actions", action), ("next_obs", next_obs),
                             ("true_rewards", reward_for_teacher(info, reward)), ("dones", done)):
                ep[key].append(np.array(val))
            obs = next_obs
            steps_taken += 1
            if steps_taken > limit:
                raise RuntimeError(f"collect_segments: no {n_segments} clips after {limit} steps")
        steps = {k: np.asarray(v) for k, v in ep.items()}
        if with_frames:
            steps["frames"] = np.asarray(frames)
        out.extend(cut_episode(steps, length, rng, bool(terminated)))
    return out[:n_segments]
