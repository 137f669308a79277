"""Frames for the clips a person judges during training: env 0 of the agent's VecEnv films itself.

Why env 0 and not re-simulation: the training envs do not render (rendering every env would cost
more than the agent's own step), yet a person must see the clips. Re-simulating a clip from its saved
start state needs an env whose whole state can be saved and restored - true of few gymnasium envs
(not of physics engines with warm-started solvers, nor of envs that draw from their generator), and
the re-simulated clip must then match the recorded one step for step. Filming env 0 works for every
env with ``render_mode="rgb_array"``, costs one render per agent step of one env, and the frames are
by construction those of the transitions the reward model learns from. The price: the person sees
env 0's clips only (with n envs, a 1/n sample of the agent's experience, drawn the same way), and
memory: frames are kept only for the newest few clips, and at every k-th pixel when they are large.

``FrameTap`` wraps env 0 (a gymnasium wrapper, so it works under SB3's DummyVecEnv and Monitor);
``FramedClips`` cuts env 0's transitions, with the tap's frames, into clips as ``EpisodeRecorder``
does for all envs.
"""

from __future__ import annotations

import math
from collections import deque

import gymnasium as gym
import numpy as np

from rlhf_gym.data.segments import Segment, cut_episode


def stride_for(frame: np.ndarray, max_side: int = 256) -> int:
    """The smallest k such that every k-th pixel of ``frame`` fits in ``max_side`` pixels a side."""
    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 16:
        raise ValueError(f"stride_for: max_side={max_side!r}; allowed: an integer >= 16")
    return max(1, math.ceil(max(np.asarray(frame).shape[:2]) / max_side))


class FrameTap(gym.Wrapper):
    """Renders the state before every step; ``step_frame`` is the frame of the last step's start state,
    at every ``stride``-th pixel (``stride_for`` picks it; a window shows it ``stride`` times larger).

    The env must be made with ``render_mode="rgb_array"`` (SB3's ``make_vec_env`` does that).
    """

    def __init__(self, env: gym.Env, stride: int = 1):
        super().__init__(env)
        if getattr(env, "render_mode", None) != "rgb_array":
            raise ValueError(f"FrameTap: the env has render_mode={getattr(env, 'render_mode', None)!r}; allowed: "
                             "an env made with render_mode='rgb_array'")
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError(f"FrameTap: stride={stride!r}; allowed: an integer >= 1")
        self.stride = stride
        self._next: np.ndarray | None = None
        self.step_frame: np.ndarray | None = None

    def _render(self) -> np.ndarray:
        frame = np.asarray(self.env.render())
        return np.ascontiguousarray(frame[:: self.stride, :: self.stride])

    def reset(self, **kwargs):
        out = self.env.reset(**kwargs)
        self._next = self._render()
        return out

    def step(self, action):
        self.step_frame = self._next if self._next is not None else self._render()
        out = self.env.step(action)
        self._next = self._render()
        return out


class FramedClips:
    """Clips of one env with their frames; keeps the newest ``capacity`` clips.

    Why its own recorder: an episode is cut every ``2 x length`` steps (not at its end only), so a
    person has clips to judge within the first steps of training even in long episodes, and an open
    episode never holds more than ``2 x length`` frames.
    """

    def __init__(self, length: int, rng: np.random.Generator, capacity: int = 16):
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
            raise ValueError(f"FramedClips: length={length!r}; allowed: an integer >= 1")
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or capacity < 2:
            raise ValueError(f"FramedClips: capacity={capacity!r}; allowed: an integer >= 2")
        self.length, self.rng = int(length), rng
        self.clips: deque[Segment] = deque(maxlen=int(capacity))
        self._open = self._empty()

    @staticmethod
    def _empty() -> dict[str, list]:
        return {k: [] for k in ("obs", "actions", "next_obs", "true_rewards", "dones", "frames")}

    def add(self, frame, obs, action, next_obs, true_reward: float, done: bool, terminated: bool) -> None:
        """One step of the env (``next_obs`` the terminal observation when ``done``); ``frame`` shows ``obs``."""
        ep = self._open
        for key, value in (("obs", obs), ("actions", action), ("next_obs", next_obs), ("frames", frame)):
            ep[key].append(np.array(value))
        ep["true_rewards"].append(float(true_reward))
        ep["dones"].append(bool(done))
        if done or len(ep["obs"]) >= 2 * self.length:
            steps = {k: np.asarray(v) for k, v in ep.items()}
            self.clips.extend(cut_episode(steps, self.length, self.rng, bool(done and terminated)))
            self._open = self._empty()

    def take(self) -> list[Segment]:
        """The clips kept (newest last)."""
        return list(self.clips)
