"""A label file that loses nothing: JSONL answers + npz clip data beside it.

Why: a person's answers are expensive. Each answer is one JSON line appended,
flushed and fsynced as it arrives; the clips it refers to are written first, in
npz chunks (``<name>.segments/<first id>.npz``, written to a temp file and renamed,
so a chunk is whole or absent). Opening an existing file resumes it. A damaged line
is reported with its line number (a warning, or ValueError with ``strict=True``) and
no other label is lost; a half-written last line (a crash mid-write) is moved to
``<name>.damaged`` so the next answer starts on a clean line. No pickles are read.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np

from rlhf_gym.data.durable import append_bytes, append_line, truncate, write_atomic
from rlhf_gym.data.segments import Segment, check_pair

_FIELDS = ("obs", "actions", "next_obs", "true_rewards", "dones", "valid")
_LABELS = (0.0, 0.5, 1.0)


class LabelStore:
    """Append-only store of (left clip, right clip, label) answers.

    Args:
        path: the JSONL file (created with its parent folder if missing).
        strict: raise ValueError on a damaged line instead of warning.
    """

    def __init__(self, path, strict: bool = False):
        self.path = Path(path)
        self.seg_dir = self.path.with_name(self.path.name + ".segments")
        self.strict = bool(strict)
        self.segments: dict[int, Segment] = {}
        self.records: list[dict] = []
        self.damaged: list[tuple[int, str]] = []
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.seg_dir.mkdir(parents=True, exist_ok=True)
        self._load_segments()
        self._load_labels()
        self._next_id = max(self.segments, default=-1) + 1

    # ---- loading ----------------------------------------------------------------
    def _load_segments(self) -> None:
        for chunk in sorted(self.seg_dir.glob("*.npz")):
            try:
                with np.load(chunk, allow_pickle=False) as data:
                    arrays = {k: data[k] for k in data.files}
            except (ValueError, OSError) as exc:
                self._report(0, f"segment chunk {chunk.name} unreadable ({exc})")
                continue
            missing = [k for k in ("ids", *_FIELDS) if k not in arrays]
            if missing:
                self._report(0, f"segment chunk {chunk.name} lacks arrays {missing}")
                continue
            for j, sid in enumerate(arrays["ids"]):
                seg = Segment(**{k: arrays[k][j] for k in _FIELDS},
                              frames=arrays["frames"][j] if "frames" in arrays else None, seg_id=int(sid))
                self.segments[int(sid)] = seg

    def _report(self, line_no: int, what: str) -> None:
        where = f"{self.path}:{line_no}" if line_no else str(self.seg_dir)
        msg = f"label store {where}: {what}"
        if self.strict:
            raise ValueError(msg)
        self.damaged.append((line_no, what))
        warnings.warn(msg, stacklevel=3)

    def _load_labels(self) -> None:
        if not self.path.exists():
            return
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")
        tail = lines.pop()  # text after the last newline: b"" if the file ends cleanly
        for i, line in enumerate(lines, start=1):
            if line.strip():
                self._parse(i, line)
        if tail.strip():
            n = len(lines) + 1
            try:
                self._parse(n, tail, quiet=True)
                append_bytes(self.path, b"\n")  # complete record, only the newline missing
            except ValueError:
                damaged = self.path.with_name(self.path.name + ".damaged")
                append_bytes(damaged, b"line %d: " % n + tail + b"\n")
                truncate(self.path, len(raw) - len(tail))
                self._report(n, f"incomplete last line moved to {damaged.name}")

    def _parse(self, line_no: int, line: bytes, quiet: bool = False) -> None:
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
            lab = rec.get("label")
            if lab is not None and lab not in _LABELS:
                raise ValueError(f"label={lab!r}; allowed 0, 0.5, 1 or null (skipped)")
            for side in ("left", "right"):
                if rec.get(side) not in self.segments:
                    raise ValueError(f"{side}={rec.get(side)!r} is not a stored segment id")
        except ValueError as exc:
            if quiet:
                raise
            self._report(line_no, f"damaged line skipped ({exc})")
            return
        self.records.append(rec)

    # ---- writing ----------------------------------------------------------------
    def add_segments(self, segments: list[Segment]) -> list[int]:
        """Store clips that have no id yet (one npz chunk, atomically); return all ids."""
        new = [s for s in segments if s.seg_id is None or s.seg_id not in self.segments]
        if new:
            if len({len(s) for s in new}) != 1:
                raise ValueError(f"add_segments: clips of lengths {sorted({len(s) for s in new})}; one call takes one length")
            ids = np.arange(self._next_id, self._next_id + len(new))
            arrays = {"ids": ids, **{k: np.stack([getattr(s, k) for s in new]) for k in _FIELDS}}
            if all(s.frames is not None for s in new):
                arrays["frames"] = np.stack([s.frames for s in new])
            write_atomic(self.seg_dir / f"{int(ids[0]):09d}.npz", lambda f: np.savez_compressed(f, **arrays))
            for sid, seg in zip(ids, new):
                seg.seg_id = int(sid)
                self.segments[int(sid)] = seg
            self._next_id += len(new)
        return [s.seg_id for s in segments]

    def append(self, left: Segment, right: Segment, label: float | None, **meta) -> dict:
        """Record one answer (None = skipped) durably; returns the written record."""
        check_pair(left, right)
        if label is not None and label not in _LABELS:
            raise ValueError(f"LabelStore.append: label={label!r}; allowed: 0, 0.5, 1 or None (skipped)")
        self.add_segments([left, right])
        rec = {"left": left.seg_id, "right": right.seg_id, "label": None if label is None else float(label),
               "time": time.time(), **meta}
        append_line(self.path, json.dumps(rec))
        self.records.append(rec)
        return rec

    # ---- reading ----------------------------------------------------------------
    def labelled_pairs(self) -> list[tuple[Segment, Segment, float]]:
        """Every answered (not skipped) pair, in the order given."""
        return [(self.segments[r["left"]], self.segments[r["right"]], float(r["label"]))
                for r in self.records if r["label"] is not None]

    def __len__(self) -> int:
        return sum(r["label"] is not None for r in self.records)
