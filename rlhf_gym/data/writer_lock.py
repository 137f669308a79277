"""One writer per store: an OS lock on ``<name>.lock`` beside the file it guards.

Why: two runs appending to one store at once each number new clips from what they saw on disk
when they started, so answers end up pointing at the other run's clips. ``fcntl.flock`` is held
for as long as the store is open for writing; the kernel releases it when the holder closes it,
exits or crashes, so a stale lock file never blocks anyone. The file records who holds it (pid,
host, time) so the refusal can say whom to close. The lock file itself is never deleted (deleting
it would let two holders lock two different files).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; one writer is then the user's responsibility.
    fcntl = None


def lock_path_for(path: str | Path) -> Path:
    """The lock file guarding ``path``: ``<name>.lock`` beside it."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


def describe_holder(lock_path: Path) -> str:
    """Who holds ``lock_path``, in words, from what the holder wrote into it."""
    try:
        info = json.loads(lock_path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "another process (it has not written its name yet)"
    return f"pid {info.get('pid')} on host {info.get('host')} since {info.get('since')}"


class WriterLock:
    """An exclusive, non-blocking ``flock`` on ``lock_path``, taken in the constructor.

    Args:
        lock_path: the lock file (created when missing; never deleted).
        what: the words naming the guarded file in a refusal, e.g. ``"label store runs/x/labels.jsonl"``.
        how_to_read: what a refused user can do instead, appended to the message.

    Raises ValueError naming the file and the holder when another open file description (another
    process, or another writer in this one) holds it.
    """

    def __init__(self, lock_path: str | Path, what: str, how_to_read: str = ""):
        self.path = Path(lock_path)
        self.pid = os.getpid()
        self._handle = None
        try:
            self._handle = open(self.path, "a+b")
        except OSError as exc:
            raise ValueError(f"{what} cannot be opened for writing: its lock file {self.path} cannot be created "
                             f"({exc.strerror}); allowed: a folder this user can write to"
                             f"{' (or ' + how_to_read.split(', or ')[-1] + ')' if ', or ' in how_to_read else ''}") from None
        if fcntl is None:
            return
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._handle.close()
            self._handle = None
            holder = describe_holder(self.path)
            if f"pid {os.getpid()} on host {socket.gethostname()} " in holder + " ":
                holder += " (this process)"
            raise ValueError(f"{what} is open for writing by {holder}; allowed: one writer at a time"
                             f"{' (' + how_to_read + ')' if how_to_read else ''}") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(json.dumps(info).encode() + b"\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    @property
    def held(self) -> bool:
        return self._handle is not None and os.getpid() == self.pid

    def release(self) -> None:
        """Clear the holder's name and unlock (idempotent). A forked child never releases its parent's lock."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            if os.getpid() == self.pid:
                handle.seek(0)
                handle.truncate()
                handle.flush()
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    def __del__(self):
        try:
            self.release()
        except Exception:  # interpreter shutdown: the kernel releases the lock anyway
            pass


__all__ = ["WriterLock", "describe_holder", "lock_path_for"]
