"""A label file that loses nothing: JSONL answers + npz clip data beside it.

Why: a person's answers are the scarcest thing in the project. Each answer is one JSON line
appended, flushed and fsynced as it arrives; the clips it refers to are written first, in npz
chunks (``<name>.segments/<first id>.npz``, written whole or not at all), and the answer keeps a
short content hash of each clip, so an answer can never silently point at another clip.

- One writer at a time: opening a store for writing takes an OS lock on ``<name>.lock`` (released
  by ``close()``, the end of a ``with`` block, or the process's exit); a second writer, in another
  process, is refused with the holder's pid and host. Readers (``read_only=True``) never lock.
  Stores opened for writing on one file within one process share the lock; each re-reads the
  file before writing (or being read) when another of them has written since.
- The header (line 1) records the env id and spaces; ``check_env`` refuses labels from another env.
- Damage costs only what it touches: a damaged line, a label that is not exactly 1, 0, 0.5 or
  null, an answer whose clips are in a missing or truncated chunk; each is reported by file and
  line or chunk (a warning, or ValueError with ``strict=True``). A half-written last line (a crash
  mid-write) is moved to ``<name>.damaged`` by the next writer, so the next answer starts clean.
- ``undo()`` withdraws the last answer by appending ``{"undo": <its line>}``: nothing written is
  ever rewritten. No pickles are read.
"""

from __future__ import annotations

import json
import os
import threading
import time
import warnings
import weakref
from pathlib import Path

import numpy as np

from rlhf_gym.data.durable import append_bytes, truncate, write_atomic
from rlhf_gym.data.jsonl_log import DamageReport
from rlhf_gym.data.label_file import (FIELDS, FORMAT, RESERVED, VERSION, LabelFile, clip_fingerprint, label_value,
                                      read_label_file)
from rlhf_gym.data.segments import Segment, check_pair
from rlhf_gym.data.spaces import config_difference, space_to_config
from rlhf_gym.data.writer_lock import WriterLock, lock_path_for

_HOW_TO_READ = "close the other session, or read it with LabelStore(path, read_only=True)"


class _Writing:
    """What every writer of one file in this process shares: the lock, a thread lock, and a count of
    writes, so that a store re-reads the file before writing when another store has written since."""

    def __init__(self, lock: WriterLock):
        self.lock = lock
        self.mutex = threading.RLock()
        self.generation = 0
        self.open_stores: weakref.WeakSet = weakref.WeakSet()


_WRITING: "weakref.WeakValueDictionary[str, _Writing]" = weakref.WeakValueDictionary()
_REGISTRY_MUTEX = threading.Lock()


class LabelStore:
    """Append-only store of (left clip, right clip, label) answers.

    Args:
        path: the JSONL file (created with its parent folder if missing, unless ``read_only``).
        strict: raise ValueError on damage instead of warning.
        read_only: read without taking the writer lock (and without repairing anything); the file
            must exist.
        env_id, observation_space, action_space: the env the labels are for. Written in the
            header of a new store; checked against the header of an existing one (ValueError
            when they differ, a warning when the file records no env).
    """

    def __init__(self, path, strict: bool = False, *, read_only: bool = False, env_id: str | None = None,
                 observation_space=None, action_space=None):
        self.path = Path(path)
        self.seg_dir = self.path.with_name(self.path.name + ".segments")
        self.strict, self.read_only = bool(strict), bool(read_only)
        given = _env_header(env_id, observation_space, action_space)
        self._writing: _Writing | None = None
        if self.read_only:
            if not self.path.is_file():
                raise ValueError(f"LabelStore: path={str(self.path)!r} does not exist; allowed: an existing label "
                                 "file when read_only=True")
            self._report = DamageReport("label store", self.path, self.strict)
            self._state = read_label_file(self.path, self.seg_dir, self._report, repair=False)
        else:
            self._open_for_writing(given)
        if given is not None and self._state.header is not given:  # an existing store: it must be for this env
            self.check_env(env_id, observation_space, action_space)

    def _open_for_writing(self, given: dict | None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = lock_path_for(self.path)
        key = str(lock_path.resolve())
        with _REGISTRY_MUTEX:
            writing = _WRITING.get(key)
            fresh = writing is None or not writing.lock.held
            if fresh:
                writing = _Writing(WriterLock(lock_path, f"label store {self.path}", _HOW_TO_READ))
            try:
                with writing.mutex:
                    self.seg_dir.mkdir(parents=True, exist_ok=True)
                    self._report = DamageReport("label store", self.path, self.strict)
                    self._state = read_label_file(self.path, self.seg_dir, self._report, repair=True)
                    self._generation = writing.generation
                    if self._state.n_lines == 0 and self._state.size == 0:
                        self._state.header = given or _env_header(None, None, None, force=True)
                        self._write_line_to(self._state, self._state.header)
                        writing.generation += 1
                        self._generation = writing.generation
            except BaseException:
                if fresh:
                    writing.lock.release()
                raise
            if fresh:
                _WRITING[key] = writing
            writing.open_stores.add(self)
        self._writing = writing

    def _sync(self) -> LabelFile:
        """This store's state, re-read first when another store of this process has written since."""
        writing = self._writing
        if writing is not None and self._generation != writing.generation:
            with writing.mutex:
                quiet = DamageReport("label store", self.path, quiet=True)
                self._state = read_label_file(self.path, self.seg_dir, quiet, repair=False)
                self._generation = writing.generation
        return self._state

    # ---- what was read -------------------------------------------------------------------
    @property
    def records(self) -> list[dict]:
        """One dict per answer still in the store, in the order given; ``"label"`` in {1.0, 0.0, 0.5, None}."""
        return self._sync().records

    @property
    def segments(self) -> dict[int, Segment]:
        return self._sync().segments

    @property
    def damaged(self) -> list[tuple[int, str]]:
        """(line number, what) of everything found damaged; line 0 for a clip chunk (named in what)."""
        return self._report.items

    @property
    def header(self) -> dict | None:
        """The first line's description of the store (None for files written before headers)."""
        return self._state.header

    @property
    def env_id(self) -> str | None:
        return None if self._state.header is None else self._state.header.get("env_id")

    def check_env(self, env_id: str | None = None, observation_space=None, action_space=None) -> None:
        """Raise ValueError when the labels were recorded on another env than the one given.

        What is None on either side is not compared; a store that records no env (written before
        stores had headers, or created without ``env_id``) cannot be checked: a warning says so.
        """
        given = _env_header(env_id, observation_space, action_space) or {}
        stored = self._state.header or {}
        if all(stored.get(k) is None for k in ("env_id", "observation_space", "action_space")):
            warnings.warn(f"label store {self.path}: records no env (written before label stores had a header, or "
                          f"created without env_id); cannot check that its labels are for {env_id!r}", stacklevel=2)
            return
        problems = []
        if given.get("env_id") is not None and stored.get("env_id") is not None and given["env_id"] != stored["env_id"]:
            problems.append(f"env id: recorded on {stored['env_id']!r}, given {given['env_id']!r}")
        for key in ("observation_space", "action_space"):
            if given.get(key) is not None and stored.get(key) is not None:
                diff = config_difference(stored[key], given[key])
                if diff:
                    problems.append(f"{key}: {diff}")
        if problems:
            raise ValueError(f"label store {self.path}: its labels are for another env ({'; '.join(problems)}); "
                             "allowed: the env the labels were recorded on (or a new label file for this env)")

    def labelled_pairs(self) -> list[tuple[Segment, Segment, float]]:
        """Every answered (not skipped) pair, in the order given."""
        segs = self._sync().segments
        return [(segs[r["left"]], segs[r["right"]], float(r["label"])) for r in self.records if r["label"] is not None]

    def __len__(self) -> int:
        return sum(r["label"] is not None for r in self.records)

    # ---- writing ---------------------------------------------------------------------------
    def add_segments(self, segments: list[Segment]) -> list[int]:
        """Store clips that this store does not hold yet (one npz chunk, atomically); return all ids."""
        writing = self._check_writable("add_segments")
        with writing.mutex:
            state = self._sync()
            new, seen = [], set()
            for s in segments:
                if id(s) in seen or (s.seg_id is not None and state.segments.get(s.seg_id) is s):
                    continue
                seen.add(id(s))
                new.append(s)
            if new:
                if len({len(s) for s in new}) != 1:
                    raise ValueError(f"add_segments: clips of lengths {sorted({len(s) for s in new})}; allowed: clips "
                                     "of one length per call")
                while (self.seg_dir / f"{state.next_id:09d}.npz").exists():  # never replace a chunk
                    state.next_id += 1
                ids = np.arange(state.next_id, state.next_id + len(new))
                arrays = {"ids": ids, **{k: np.stack([getattr(s, k) for s in new]) for k in FIELDS}}
                if all(s.frames is not None for s in new):
                    arrays["frames"] = np.stack([s.frames for s in new])
                write_atomic(self.seg_dir / f"{int(ids[0]):09d}.npz", lambda f: np.savez_compressed(f, **arrays))
                for sid, seg in zip(ids, new):
                    seg.seg_id = int(sid)
                    state.segments[int(sid)] = seg
                state.next_id += len(new)
                self._wrote(writing)
            return [s.seg_id for s in segments]

    def append(self, left: Segment, right: Segment, label: float | None, **meta) -> dict:
        """Record one answer (None = skipped) durably; returns the written record.

        ``meta`` (e.g. ``teacher="human", seconds=3.2, timestep=...``) is kept in the record and read
        back; its values must be JSON data, and its keys none of {RESERVED}.
        """
        writing = self._check_writable("append")
        label = label_value(label, "LabelStore.append")
        check_pair(left, right)
        taken = sorted(set(meta) & set(RESERVED))
        if taken:
            raise ValueError(f"LabelStore.append: extra fields {taken}; allowed: any names but the reserved "
                             f"{list(RESERVED)}")
        with writing.mutex:
            self.add_segments([left, right])
            rec = {"left": left.seg_id, "right": right.seg_id, "label": label, "time": time.time(), **meta,
                   "left_fp": clip_fingerprint(left), "right_fp": clip_fingerprint(right)}
            state = self._sync()
            self._write_line_to(state, rec, "LabelStore.append")
            state.records.append(rec)
            state.record_lines.append(state.n_lines)
            self._wrote(writing)
        return rec

    def undo(self) -> dict:
        """Withdraw the last answer (appends ``{"undo": <its line>}``); returns the record withdrawn."""
        writing = self._check_writable("undo")
        with writing.mutex:
            state = self._sync()
            if not state.records:
                raise ValueError(f"LabelStore.undo: {self.path} holds no answer to undo; allowed: undo after at least "
                                 "one answer")
            self._write_line_to(state, {"undo": state.record_lines[-1], "time": time.time()}, "LabelStore.undo")
            self._wrote(writing)
            state.record_lines.pop()
            return state.records.pop()

    def close(self) -> None:
        """Stop writing: the lock is released once every store open on this file in this process is closed."""
        writing, self._writing = self._writing, None
        if writing is None:
            return
        with _REGISTRY_MUTEX:
            writing.open_stores.discard(self)
            if not writing.open_stores:
                writing.lock.release()

    @property
    def closed(self) -> bool:
        return self._writing is None

    def __enter__(self) -> "LabelStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read_only" if self.read_only else ("closed" if self.closed else "writing")
        return f"LabelStore({str(self.path)!r}, {mode}, {len(self.records)} answers, env_id={self.env_id!r})"

    # ---- internals ------------------------------------------------------------------------
    def _wrote(self, writing: _Writing) -> None:
        """Note a write: this store is current, the other stores of this process re-read."""
        writing.generation += 1
        self._generation = writing.generation

    def _check_writable(self, what: str) -> _Writing:
        if self._writing is None or not self._writing.lock.held:
            state = "opened with read_only=True" if self.read_only else "closed"
            raise ValueError(f"LabelStore.{what}: label store {self.path} is {state}; allowed: a store opened for "
                             "writing (LabelStore(path)) and not closed")
        return self._writing

    def _write_line_to(self, state: LabelFile, obj: dict, who: str = "LabelStore") -> None:
        try:
            data = (json.dumps(obj) + "\n").encode("utf-8")  # NaN/inf in extra fields read back as written
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{who}: {obj!r} cannot be stored as JSON ({exc}); allowed: extra fields whose values "
                             "are numbers, strings, bools, None, lists or dicts") from None
        try:
            append_bytes(self.path, data)
        except BaseException:
            if self.path.exists() and self.path.stat().st_size > state.size:
                truncate(self.path, state.size)  # never leave half a line for the next answer to join
            raise
        state.size += len(data)
        state.n_lines += 1


def _env_header(env_id, observation_space, action_space, force: bool = False) -> dict | None:
    """The header a store for this env starts with (None when nothing is given and not ``force``)."""
    if env_id is None and observation_space is None and action_space is None and not force:
        return None
    if env_id is not None and not isinstance(env_id, str):
        raise ValueError(f"LabelStore: env_id={env_id!r}; allowed: a gymnasium env id string or None")
    return {"format": FORMAT, "version": VERSION, "env_id": env_id,
            "observation_space": None if observation_space is None else
            space_to_config(observation_space, "observation_space", "LabelStore"),
            "action_space": None if action_space is None else space_to_config(action_space, "action_space",
                                                                              "LabelStore"),
            "created": time.strftime("%Y-%m-%d %H:%M:%S"), "pid": os.getpid()}


__all__ = ["LabelStore"]
