"""Fixed-length clips of experience, the unit a teacher compares.

Why a clip and not a whole episode: short clips are quick to judge and many of
them come from one rollout (Christiano et al. 2017 used 1-2 s clips). A clip
never crosses an episode boundary. An episode that ends before the clip is full
(and the last clip of every episode that terminated, rather than hit a time limit)
is padded with copies of its end state marked ``valid=False``: padded steps are the
absorbing state, worth zero to the teacher and masked out of the learned return, so
short failing episodes are still shown and the learned reward knows where zero is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Segment:
    """One clip of ``length`` steps. Arrays share the first axis (time)."""

    obs: np.ndarray
    actions: np.ndarray
    next_obs: np.ndarray
    true_rewards: np.ndarray
    dones: np.ndarray = None
    valid: np.ndarray = None
    frames: np.ndarray | None = None
    seg_id: int | None = field(default=None, compare=False)

    def __post_init__(self):
        self.obs = np.asarray(self.obs)
        self.actions = np.asarray(self.actions)
        self.next_obs = np.asarray(self.next_obs)
        self.true_rewards = np.asarray(self.true_rewards, dtype=np.float64)
        n = len(self.obs)
        if n == 0:
            raise ValueError("Segment: obs has length 0; a segment needs at least one step")
        if self.dones is None:
            self.dones = np.zeros(n, dtype=bool)
        if self.valid is None:
            self.valid = np.ones(n, dtype=bool)
        self.dones = np.asarray(self.dones, dtype=bool)
        self.valid = np.asarray(self.valid, dtype=bool)
        for name in ("actions", "next_obs", "true_rewards", "dones", "valid"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"Segment: {name} has length {len(getattr(self, name))} but obs has length {n}; "
                    "all per-step arrays must have the same length"
                )
        if self.frames is not None:
            self.frames = np.asarray(self.frames)
            if len(self.frames) != n:
                raise ValueError(f"Segment: frames has length {len(self.frames)} but obs has length {n}")

    def __len__(self) -> int:
        return len(self.obs)

    def true_return(self, gamma: float = 1.0) -> float:
        """Sum of true rewards over valid steps, step t weighted gamma**(H-1-t) (myopia)."""
        h = len(self)
        weights = gamma ** np.arange(h - 1, -1, -1, dtype=np.float64)
        return float(np.sum(self.true_rewards * self.valid * weights))

    def fingerprint(self) -> str:
        """Content hash of what the teacher saw (obs, actions, next obs), for replay lookup."""
        h = hashlib.sha1()
        for arr in (self.obs, self.actions, self.next_obs, self.valid):
            a = np.ascontiguousarray(arr)
            h.update(str(a.dtype).encode() + str(a.shape).encode())
            h.update(a.tobytes())
        return h.hexdigest()


def check_pair(left: Segment, right: Segment) -> None:
    """Raise ValueError unless the two clips can be compared (same length, same shapes)."""
    if len(left) != len(right):
        raise ValueError(
            f"segment pair: left has length {len(left)} and right has length {len(right)}; "
            "the two segments of a pair must have the same length"
        )
    if left.obs.shape != right.obs.shape or left.actions.shape != right.actions.shape:
        raise ValueError(
            f"segment pair: shapes differ (obs {left.obs.shape} vs {right.obs.shape}, actions "
            f"{left.actions.shape} vs {right.actions.shape}); both must come from the same env"
        )


def stack_segments(segments: list[Segment]) -> dict[str, np.ndarray]:
    """Stack clips of one length into batch arrays (N, H, ...) keyed by field name."""
    if not segments:
        raise ValueError("stack_segments: segments is empty; pass at least one Segment")
    lengths = {len(s) for s in segments}
    if len(lengths) != 1:
        raise ValueError(f"stack_segments: segments have lengths {sorted(lengths)}; all must be equal")
    out = {
        name: np.stack([getattr(s, name) for s in segments])
        for name in ("obs", "actions", "next_obs", "true_rewards", "dones", "valid")
    }
    return out


def cut_episode(steps: dict[str, np.ndarray], length: int, rng: np.random.Generator,
                terminated: bool = False) -> list[Segment]:
    """Cut one episode (per-step arrays of equal length T) into clips of ``length``.

    Clips are windows of ``length`` starting at a random offset, plus one window that
    ends with the episode (it may overlap the one before), so every part of a long
    episode can be shown and how it ended always is. When the episode ``terminated``
    (not a time limit) that last clip ends with 1..length-1 padded absorbing steps
    (reward 0), which anchors the learned reward's zero to the absorbing state. A short
    episode gives one padded clip.
    """
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"cut_episode: length={length!r}; allowed: an integer >= 1")
    t = len(steps["obs"])
    if t == 0:
        return []
    if t < length:
        return [_padded(steps, 0, t, length)]
    offset = int(rng.integers(0, length)) if t > length else 0
    starts = list(range(offset, t - length + 1, length))
    frames = steps.get("frames")
    final = None
    if terminated:
        real = length - int(rng.integers(1, length))  # 1..length-1 real steps, the rest absorbing
        final = _padded(steps, t - real, t, length)
        starts = [s for s in starts if s + length <= t - real] or []
    elif not starts or starts[-1] + length < t:
        starts.append(t - length)  # the episode's end (a goal, a fall) is always shown
    out = []
    for start in starts:
        sl = slice(start, start + length)
        out.append(
            Segment(
                obs=steps["obs"][sl],
                actions=steps["actions"][sl],
                next_obs=steps["next_obs"][sl],
                true_rewards=steps["true_rewards"][sl],
                dones=steps["dones"][sl],
                frames=None if frames is None else frames[sl],
            )
        )
    if final is not None:
        out.append(final)
    return out


def _padded(steps: dict[str, np.ndarray], start: int, t: int, length: int) -> Segment:
    """Steps start..t-1 of an episode, then copies of its absorbing end state (valid=False)."""
    n = t - start
    idx = np.concatenate([np.arange(start, t), np.full(length - n, t - 1)])
    obs = steps["obs"][idx].copy()
    obs[n:] = steps["next_obs"][t - 1]
    valid = np.arange(length) < n
    frames = steps.get("frames")
    return Segment(
        obs=obs,
        actions=steps["actions"][idx],
        next_obs=steps["next_obs"][idx],
        true_rewards=np.where(valid, steps["true_rewards"][idx], 0.0),
        dones=np.where(valid, steps["dones"][idx], True),
        valid=valid,
        frames=None if frames is None else frames[idx],
    )


def reward_for_teacher(info: dict, env_reward: float) -> float:
    """The reward a simulated teacher judges by: the hidden task reward if the env
    reports one, else what a reward wrapper kept as the env's own, else the env reward."""
    if "true_reward" in info:
        return float(info["true_reward"])
    if "env_reward" in info:
        return float(info["env_reward"])
    return float(env_reward)
