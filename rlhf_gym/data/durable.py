"""Durable writes for the stores: append and fsync, or write whole-or-absent and fsync the folder.

Why: a person's labels and demonstrations must survive a crash the moment they are given. Both
stores (labels, demonstrations) write through these few helpers, so "flushed and fsynced" means
the same thing everywhere: the data reaches the disk before the call returns, and a file that is
replaced is either the old one or the whole new one, never half of it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, IO


def fsync_dir(path: str | Path) -> None:
    """Make a rename or a new file inside ``path`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def append_bytes(path: str | Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created if missing), flush and fsync before returning."""
    with open(path, "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def append_line(path: str | Path, line: str) -> None:
    """Append one text line (UTF-8; a newline is added when missing), flushed and fsynced."""
    append_bytes(path, (line if line.endswith("\n") else line + "\n").encode("utf-8"))


def truncate(path: str | Path, size: int) -> None:
    """Cut ``path`` to ``size`` bytes and fsync (used to drop a half-written last line)."""
    with open(path, "r+b") as handle:
        handle.truncate(size)
        os.fsync(handle.fileno())


def write_atomic(path: str | Path, content: bytes | Callable[[IO[bytes]], None]) -> Path:
    """Write ``path`` whole or not at all: a ``.tmp`` file, fsync, rename, fsync the folder.

    ``content`` is the bytes, or a function that writes into the open binary file (``np.savez``).
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as handle:
            if isinstance(content, (bytes, bytearray)):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the old file (if any) is untouched
        raise
    fsync_dir(path.parent)
    return path


__all__ = ["append_bytes", "append_line", "fsync_dir", "truncate", "write_atomic"]
