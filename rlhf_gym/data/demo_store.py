"""A demonstration folder on disk: ``metadata.json``, ``episodes.jsonl`` and one npz per episode.

Why its own file: like the label store, a demonstration set is what a person gave, so damage costs
only what it touches. A damaged index line, or an episode file that is missing, truncated or holds
arrays that do not fit together, costs that episode only and is reported by file and line (a
warning, or ValueError with ``strict=True``). A half-written last index line (a crash mid-write) is
moved to ``episodes.jsonl.damaged`` by the next writer, which then carries on. One writer at a time
(an OS lock on ``episodes.jsonl.lock``); an episode file is never replaced. No pickle anywhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import gymnasium as gym
import numpy as np

from rlhf_gym.data.durable import append_line, truncate, write_atomic
from rlhf_gym.data.json_file import read_json_object
from rlhf_gym.data.jsonl_log import DamageReport, read_jsonl
from rlhf_gym.data.trajectories import FORMAT_VERSION, Trajectory, describe_space
from rlhf_gym.data.writer_lock import WriterLock

_EPISODE = re.compile(r"episode_(\d+)\.npz")
_ARRAYS = ("obs", "actions", "rewards", "true_rewards")


class DemoWriter:
    """Appends episodes to a demonstration folder; reopening an existing folder continues it.

    Holds the folder's writer lock until ``close()`` (or the end of a ``with`` block, or exit); a
    second writer is refused with the holder's pid and host.
    """

    def __init__(self, path: str | Path, observation_space: gym.Space, action_space: gym.Space, env_id: str | None = None):
        self.path = Path(path)
        meta = {
            "format": "rlhf_gym.demonstrations",
            "version": FORMAT_VERSION,
            "env_id": env_id,
            "observation_space": describe_space(observation_space),
            "action_space": describe_space(action_space),
        }
        meta_path = self.path / "metadata.json"
        if meta_path.exists():
            old = _read_metadata(self.path)
            for key in ("observation_space", "action_space"):
                if old.get(key) != meta[key]:
                    raise ValueError(
                        f"path: {str(self.path)!r} holds demonstrations with {key} {old.get(key)}; "
                        f"cannot append episodes with {meta[key]}"
                    )
            if env_id is not None and old.get("env_id") not in (None, env_id):
                raise ValueError(f"path: {str(self.path)!r} holds demonstrations of env {old['env_id']!r}; cannot "
                                 f"append episodes of env {env_id!r}; allowed: the same env, or a new folder")
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = WriterLock(self.path / "episodes.jsonl.lock", f"demonstrations {self.path}",
                                "close the other session, or read them with load_demonstrations(path)")
        try:
            if not meta_path.exists():
                write_atomic(meta_path, (json.dumps(meta, indent=2) + "\n").encode())
            records = _read_index(self.path, DamageReport("demonstrations", self.path / "episodes.jsonl"), repair=True)
        except BaseException:
            self._lock.release()
            raise
        self.n_episodes = len(records)
        used = [int(m.group(1)) for p in self.path.glob("episode_*.npz") if (m := _EPISODE.fullmatch(p.name))]
        used += [int(_EPISODE.fullmatch(r["file"]).group(1)) for _, r in records]
        self._next_number = max(used, default=-1) + 1

    def append(self, traj: Trajectory) -> None:
        """Write one episode: npz arrays first, then its index line (the line marks it complete)."""
        if not self._lock.held:
            raise ValueError(f"DemoWriter.append: demonstrations {self.path} are closed; allowed: an open DemoWriter")
        while (self.path / f"episode_{self._next_number:06d}.npz").exists():  # never replace an episode
            self._next_number += 1
        name = f"episode_{self._next_number:06d}.npz"
        arrays = {"obs": traj.obs, "actions": traj.actions, "rewards": traj.rewards,
                  "true_rewards": traj.true_rewards}
        write_atomic(self.path / name, lambda handle: np.savez(handle, **arrays))
        record = {
            "file": name,
            "length": len(traj),
            "return": float(np.sum(traj.rewards)),
            "true_return": traj.true_return,
            "terminated": traj.terminated,
            "truncated": traj.truncated,
            "infos": traj.infos,
        }
        index = self.path / "episodes.jsonl"
        size = index.stat().st_size if index.exists() else 0
        try:
            append_line(index, json.dumps(record))
        except BaseException:
            if index.exists() and index.stat().st_size > size:
                truncate(index, size)  # never leave half a line for the next episode to join
            raise
        self._next_number += 1
        self.n_episodes += 1

    def close(self) -> None:
        """Release the folder's writer lock (idempotent)."""
        self._lock.release()

    def __enter__(self) -> "DemoWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def save_demonstrations(path: str | Path, trajectories: list[Trajectory], observation_space: gym.Space,
                        action_space: gym.Space, env_id: str | None = None) -> Path:
    """Append ``trajectories`` to the folder ``path`` (created when missing)."""
    with DemoWriter(path, observation_space, action_space, env_id=env_id) as writer:
        for traj in trajectories:
            writer.append(traj)
    return Path(path)


def load_demonstrations(path: str | Path, env: gym.Env | None = None, strict: bool = False) -> list[Trajectory]:
    """Read a demonstration folder; with ``env`` check that its spaces match the stored ones.

    A damaged index line or episode file costs that episode only: a warning names the file and
    line (ValueError with ``strict=True``). Reading never changes the folder and takes no lock.
    """
    path = Path(path)
    meta = _read_metadata(path)
    if env is not None:
        for key, space in (("observation_space", env.observation_space), ("action_space", env.action_space)):
            if meta.get(key) != describe_space(space):
                raise ValueError(
                    f"demonstrations {str(path)!r}: stored {key} {meta.get(key)} differs from the env's {describe_space(space)}"
                )
    report = DamageReport("demonstrations", path / "episodes.jsonl", strict)
    out = []
    for number, record in _read_index(path, report, repair=False):
        try:
            out.append(_read_episode(path, record))
        except Exception as exc:  # BadZipFile, zlib.error, EOFError, OSError, ValueError: all mean damaged
            report.add(number, f"episode {record['file']} skipped ({type(exc).__name__}: {exc})")
    return out


def _read_episode(path: Path, record: dict) -> Trajectory:
    with np.load(path / record["file"], allow_pickle=False) as data:
        missing = [k for k in _ARRAYS if k not in data.files]
        if missing:
            raise ValueError(f"lacks arrays {missing}")
        arrays = {k: data[k] for k in _ARRAYS}
    n = len(arrays["actions"])
    lengths = {k: len(v) for k, v in arrays.items()}
    if lengths != {"obs": n + 1, "actions": n, "rewards": n, "true_rewards": n} or record.get("length", n) != n:
        raise ValueError(f"arrays of lengths {lengths} and index length {record.get('length')!r} do not fit "
                         "(obs holds one more entry than actions)")
    return Trajectory(**arrays, terminated=bool(record["terminated"]), truncated=bool(record["truncated"]),
                      infos=record.get("infos", []))


def _read_metadata(path: Path) -> dict:
    if not (path / "metadata.json").is_file():
        raise ValueError(f"path: {str(path)!r} has no metadata.json; allowed: a folder written by save_demonstrations")
    return read_json_object(path / "metadata.json", "path", "rlhf_gym.demonstrations",
                            "a folder written by save_demonstrations")


def _read_index(path: Path, report: DamageReport, repair: bool) -> list[tuple[int, dict]]:
    """(line number, episode record) of every readable index line; the others are reported."""
    out = []
    for number, record in read_jsonl(path / "episodes.jsonl", report, repair):
        name = record.get("file")
        if not isinstance(name, str) or not _EPISODE.fullmatch(name):
            report.add(number, f"damaged line skipped (file={name!r}; allowed: an episode_NNNNNN.npz name)")
        elif not all(isinstance(record.get(k), bool) for k in ("terminated", "truncated")):
            report.add(number, "damaged line skipped (terminated/truncated missing or not true/false)")
        elif not isinstance(record.get("infos", []), list):
            report.add(number, "damaged line skipped (infos is not a list)")
        else:
            out.append((number, record))
    return out


__all__ = ["DemoWriter", "load_demonstrations", "save_demonstrations"]
