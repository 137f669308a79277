"""Reading a label store from disk: its header, its answers, its undo lines and its clips.

Why apart from the store: reading must survive any damage (a line without a label, a label of
the wrong type, a truncated npz chunk, a record whose clips are gone) and cost only the answers
that damage touches, each reported by file and line. Writing (``label_store.py``) relies on what
this returns, e.g. the next free clip id, which must also skip ids of chunks it could not read.

The file: line 1 is a header ``{"format": "rlhf_gym.labels", "version": 1, "env_id": ...,
"observation_space": ..., "action_space": ...}`` (files written before it have none); then one
line per answer ``{"left": id, "right": id, "label": 1|0|0.5|null, "time": ..., ...}`` or per
undo ``{"undo": <line number of the answer withdrawn>}``. Clips live in ``<name>.segments/``.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rlhf_gym.data.jsonl_log import DamageReport, read_jsonl
from rlhf_gym.data.segments import Segment

FORMAT = "rlhf_gym.labels"
VERSION = 1
FIELDS = ("obs", "actions", "next_obs", "true_rewards", "dones", "valid")
LABELS = (0.0, 0.5, 1.0)
RESERVED = ("left", "right", "label", "undo", "format", "left_fp", "right_fp")
ALLOWED_LABELS = "1 (left better), 0 (right better), 0.5 (equally good) or None/null (skipped)"


def label_value(label, who: str) -> float | None:
    """``label`` as a float in {1.0, 0.0, 0.5}, or None; anything else (True, "1", 2, nan) is refused."""
    if label is None:
        return None
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, numbers.Real) or float(label) not in LABELS:
        raise ValueError(f"{who}: label={label!r} ({type(label).__name__}); allowed: {ALLOWED_LABELS}")
    return float(label)


def clip_fingerprint(segment: Segment) -> str:
    """The short content hash an answer keeps of each clip, checked when the store is read."""
    return segment.fingerprint()[:16]


@dataclass
class LabelFile:
    """What a label store holds, as read (and, for a writer, as it grows)."""

    header: dict | None = None
    records: list[dict] = field(default_factory=list)
    record_lines: list[int] = field(default_factory=list)  # the line each live record is on
    segments: dict[int, Segment] = field(default_factory=dict)
    next_id: int = 0  # the first clip id no chunk, readable or not, and no answer has used
    n_lines: int = 0  # complete lines in the file
    size: int = 0  # bytes in the file


def read_label_file(path: Path, seg_dir: Path, report: DamageReport, repair: bool) -> LabelFile:
    """Everything readable in the store at ``path``; damage goes to ``report``."""
    out = LabelFile()
    chunks, largest = _load_chunks(seg_dir, out, report)
    entries = read_jsonl(path, report, repair)
    if path.exists():
        raw = path.read_bytes()
        out.size, out.n_lines = len(raw), raw.count(b"\n")
    live: dict[int, dict] = {}  # line number -> record, in file order
    max_ref = -1
    for number, obj in entries:
        if number == 1 and "format" in obj:
            out.header = _check_header(obj, path)
            continue
        if "undo" in obj:
            target = obj["undo"]
            if isinstance(target, bool) or not isinstance(target, int) or target not in live:
                report.add(number, f"undo line skipped: undo={target!r} is not the line of an answer still in the "
                                   "store above it")
            else:
                del live[target]
            continue
        problem = _record_problem(obj)
        if problem:
            report.add(number, f"answer skipped ({problem})")
            continue
        obj["label"] = None if obj["label"] is None else float(obj["label"])
        max_ref = max(max_ref, obj["left"], obj["right"])
        live[number] = obj
    fingerprints: dict[int, str] = {}
    for number, rec in live.items():
        problem = _clip_problem(rec, out.segments, chunks, fingerprints)
        if problem:
            report.add(number, f"answer skipped ({problem})")
            continue
        out.records.append(rec)
        out.record_lines.append(number)
    out.next_id = max(max_ref, largest) + 1
    return out


def _check_header(obj: dict, path: Path) -> dict:
    if obj.get("format") != FORMAT:
        raise ValueError(f"LabelStore: {str(path)!r} has format {obj.get('format')!r}; allowed: {FORMAT!r} "
                         "(a file written by LabelStore)")
    version = obj.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise ValueError(f"LabelStore: {str(path)!r} has version {version!r}; allowed: 1..{VERSION} "
                         "(a newer rlhf_gym wrote it: upgrade rlhf_gym to read it)")
    return obj


def _record_problem(rec: dict) -> str | None:
    if "format" in rec:
        return "a header line below line 1"
    for side in ("left", "right"):
        if side not in rec:
            return f"no {side!r} key"
        value = rec[side]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{side}={value!r}; allowed: a clip id (an integer >= 0)"
    if "label" not in rec:
        return "no 'label' key"
    lab = rec["label"]
    if lab is not None and (isinstance(lab, bool) or not isinstance(lab, (int, float)) or lab not in LABELS):
        return f"label={lab!r} ({type(lab).__name__}); allowed: 1, 0, 0.5 or null"
    return None


def _clip_problem(rec: dict, segments: dict, chunks: dict[int, tuple[str, bool]], fingerprints: dict) -> str | None:
    for side in ("left", "right"):
        sid = rec[side]
        if sid not in segments:
            firsts = [first for first in chunks if first <= sid]
            if firsts and not chunks[max(firsts)][1]:
                return f"{side}={sid} is in clip chunk {chunks[max(firsts)][0]}, which is damaged"
            return f"{side}={sid} is not a stored clip (no readable chunk holds it)"
        stored = rec.get(f"{side}_fp")
        if stored is not None:
            if sid not in fingerprints:
                fingerprints[sid] = clip_fingerprint(segments[sid])
            if fingerprints[sid] != stored:
                return (f"{side}={sid} is not the clip that was answered (its content hash differs: its chunk "
                        "was replaced)")
    return None


def _load_chunks(seg_dir: Path, out: LabelFile, report: DamageReport) -> tuple[dict[int, tuple[str, bool]], int]:
    """Fill ``out.segments`` from every readable chunk.

    Returns ({first id from the chunk's name: (name, readable)}, the largest clip id any chunk uses
    or names), so that new clips never reuse an id of a chunk that could not be read.
    """
    chunks: dict[int, tuple[str, bool]] = {}
    owner: dict[int, str] = {}
    largest = -1
    if not seg_dir.is_dir():
        return chunks, largest
    for chunk in sorted(seg_dir.glob("*.npz")):
        first = int(chunk.stem) if re.fullmatch(r"\d+", chunk.stem) else None
        try:
            with np.load(chunk, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            missing = [k for k in ("ids", *FIELDS) if k not in arrays]
            if missing:
                raise ValueError(f"lacks arrays {missing}")
            found = []
            for j, sid in enumerate(arrays["ids"]):
                frames = arrays["frames"][j] if "frames" in arrays else None
                found.append((int(sid), Segment(**{k: arrays[k][j] for k in FIELDS}, frames=frames, seg_id=int(sid))))
        except Exception as exc:  # BadZipFile, zlib.error, EOFError, ValueError, IndexError: all mean damaged
            report.add(0, f"clip chunk {chunk} unreadable ({type(exc).__name__}: {exc}); the answers that use "
                          "its clips are skipped")
            if first is not None:
                chunks[first] = (chunk.name, False)
                largest = max(largest, first)
            continue
        if first is not None:
            chunks[first] = (chunk.name, True)
            largest = max(largest, first)
        for sid, seg in found:
            largest = max(largest, sid)
            if sid in owner:
                report.add(0, f"clip chunk {chunk}: clip id {sid} is also in {owner[sid]}; the answers that use "
                              "it are skipped")
                out.segments.pop(sid, None)
                continue
            owner[sid] = chunk.name
            out.segments[sid] = seg
    return chunks, largest


__all__ = ["ALLOWED_LABELS", "FORMAT", "LABELS", "LabelFile", "RESERVED", "VERSION", "clip_fingerprint",
           "label_value", "read_label_file"]
