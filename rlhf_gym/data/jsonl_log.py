"""Reading an append-only JSONL log that a crash, a disk or a hand may have damaged.

Why one reader for both stores (labels, demonstrations): "a damaged line costs that line only,
reported with its number" and "a half-written last line is set aside so the next append starts on
a clean line" must mean the same everywhere. A writer repairs the tail (the half line is moved to
``<name>.damaged``, never thrown away); a reader only reports it, and never changes a file.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from rlhf_gym.data.durable import append_bytes, truncate


class DamageReport:
    """Collects what was found damaged: a warning each (or ValueError at the first with ``strict``).

    ``items`` holds ``(line number, what)`` pairs; the line number is 0 for damage outside the log
    (a data file beside it, named in ``what``).
    """

    def __init__(self, who: str, path: Path, strict: bool = False, quiet: bool = False):
        self.who, self.path, self.strict, self.quiet = who, Path(path), bool(strict), bool(quiet)
        self.items: list[tuple[int, str]] = []

    def add(self, line_no: int, what: str, stacklevel: int = 4) -> None:
        where = f"{self.path}:{line_no}" if line_no else str(self.path)
        msg = f"{self.who} {where}: {what}"
        if self.quiet:  # a re-read of what was already reported
            self.items.append((line_no, what))
            return
        if self.strict:
            raise ValueError(msg + " (strict=True)")
        self.items.append((line_no, what))
        warnings.warn(msg, stacklevel=stacklevel)


def read_jsonl(path: Path, report: DamageReport, repair: bool) -> list[tuple[int, dict]]:
    """Every complete line of ``path`` that holds a JSON object, as ``(line number, object)``.

    Other lines are reported and skipped. A last line without its newline is kept when it is a
    whole JSON object (``repair`` then adds the newline); otherwise it is reported and, with
    ``repair``, moved to ``<name>.damaged`` and cut from the log.
    """
    path = Path(path)
    if not path.exists():
        return []
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    tail = lines.pop()  # the text after the last newline: b"" when the file ends cleanly
    out = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            obj = _parse(line)
            if isinstance(obj, dict):
                out.append((number, obj))
            else:
                report.add(number, f"damaged line skipped ({obj})")
    if tail.strip():
        number = len(lines) + 1
        obj = _parse(tail)
        if isinstance(obj, dict):
            out.append((number, obj))
            if repair:
                append_bytes(path, b"\n")  # a whole record, only its newline missing
        elif repair:
            damaged = path.with_name(path.name + ".damaged")
            append_bytes(damaged, b"line %d: " % number + tail + b"\n")
            truncate(path, len(raw) - len(tail))
            report.add(number, f"incomplete last line moved to {damaged.name} ({obj})")
        else:
            report.add(number, f"incomplete last line skipped (being written, or cut by a crash: {obj})")
    return out


def _parse(line: bytes) -> dict | str:
    """The JSON object on ``line``, or a short reason why there is none."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"not JSON: {exc}"
    if not isinstance(obj, dict):
        return f"a JSON {type(obj).__name__}, not an object"
    return obj


__all__ = ["DamageReport", "read_jsonl"]
