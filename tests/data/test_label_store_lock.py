"""One writer per label store, proved with real processes: a second writer is refused with the holder's
name, and no answer ever points at another writer's clip."""

import json
import multiprocessing
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from rlhf_gym.feedback import LabelStore, Segment

WRITER = r"""
import sys, time
from pathlib import Path
import numpy as np
from rlhf_gym.data.label_store import LabelStore
from rlhf_gym.data.segments import Segment

path, name, n, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tag = {"A": 1, "B": 2}[name]

def clip(i, side):
    v = np.full(4, tag * 10000 + i * 10 + side, dtype=np.float64)
    return Segment(v[:, None], np.zeros(4, dtype=np.int64), v[:, None], v)

try:
    store = LabelStore(path)
except ValueError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
with store:
    for i in range(n):
        store.append(clip(i, 0), clip(i, 1), float(i % 2), writer=name, i=i)
        if i == n // 2 and hold != "-":
            Path(hold + ".ready").write_text("x")
            while not Path(hold + ".go").exists():
                time.sleep(0.02)
"""
TAGS = {"A": 1, "B": 2}


def _writer(path, name, n, hold="-"):
    return [sys.executable, "-c", WRITER, str(path), name, str(n), str(hold)]


def _wait_for(path, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "writer never got going"
        time.sleep(0.02)


def _check_every_answer_points_at_its_own_clips(store):
    for rec in store.records:
        expect = TAGS[rec["writer"]] * 10000 + rec["i"] * 10
        left, right = store.segments[rec["left"]], store.segments[rec["right"]]
        assert left.true_rewards[0] == expect and right.true_rewards[0] == expect + 1, rec
        assert rec["label"] == float(rec["i"] % 2)


def test_a_second_writer_process_is_refused_and_no_label_is_repointed(tmp_path):
    path = tmp_path / "runs" / "x" / "labels.jsonl"
    hold = tmp_path / "hold"
    first = subprocess.Popen(_writer(path, "A", 40, hold), stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(tmp_path / "hold.ready", first)
        second = subprocess.run(_writer(path, "B", 40), capture_output=True, text=True, timeout=120)
        assert second.returncode == 3, second.stderr
        message = second.stderr.strip()
        assert f"label store {path} is open for writing by pid {first.pid} on host {socket.gethostname()} since" in message
        assert "allowed: one writer at a time" in message and "read_only=True" in message
        holder = json.loads((tmp_path / "runs" / "x" / "labels.jsonl.lock").read_text())
        assert holder["pid"] == first.pid and holder["host"] == socket.gethostname()
        reader = LabelStore(path, read_only=True)  # readers never take the lock
        assert len(reader.records) == 21
        with pytest.raises(ValueError, match=f"pid {first.pid}"):
            LabelStore(path)  # nor may this process write while the other holds it
    finally:
        (tmp_path / "hold.go").write_text("x")
        assert first.wait(timeout=120) == 0, first.stderr.read()
    again = subprocess.run(_writer(path, "B", 40), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    store = LabelStore(path, read_only=True)
    assert [r["writer"] for r in store.records] == ["A"] * 40 + ["B"] * 40 and not store.damaged
    _check_every_answer_points_at_its_own_clips(store)


def test_two_writers_started_at_once_never_mix(tmp_path):
    path = tmp_path / "labels.jsonl"
    procs = [subprocess.Popen(_writer(path, name, 100), stderr=subprocess.PIPE, text=True) for name in "AB"]
    codes = [p.wait(timeout=120) for p in procs]
    assert set(codes) <= {0, 3} and 0 in codes, [p.stderr.read() for p in procs]
    store = LabelStore(path, read_only=True)
    assert len(store.records) == 100 * codes.count(0) and not store.damaged
    _check_every_answer_points_at_its_own_clips(store)


def test_a_killed_writer_releases_the_lock_and_keeps_its_answers(tmp_path):
    path = tmp_path / "labels.jsonl"
    proc = subprocess.Popen(_writer(path, "A", 30, tmp_path / "hold"), stderr=subprocess.PIPE, text=True)
    _wait_for(tmp_path / "hold.ready", proc)
    proc.kill()
    proc.wait(timeout=60)
    with LabelStore(path) as store:  # the kernel dropped the dead writer's lock
        assert len(store.records) == 16
        _check_every_answer_points_at_its_own_clips(store)


def _try_open(path, queue):
    try:
        LabelStore(path)
        queue.put("opened")
    except ValueError as exc:
        queue.put(str(exc))


def test_a_forked_child_does_not_inherit_the_right_to_write(tmp_path):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    path = tmp_path / "labels.jsonl"
    ctx = multiprocessing.get_context("fork")
    with LabelStore(path):
        queue = ctx.Queue()
        child = ctx.Process(target=_try_open, args=(path, queue))
        child.start()
        answer = queue.get(timeout=60)
        child.join(timeout=60)
    import os

    assert f"open for writing by pid {os.getpid()}" in answer


def _clip(value):
    v = np.full(3, float(value))
    return Segment(v[:, None], np.zeros(3, dtype=np.int64), v[:, None], v)


def test_stores_of_one_process_share_the_lock_and_never_collide(tmp_path):
    path = tmp_path / "labels.jsonl"
    a = LabelStore(path)
    b = LabelStore(path)  # one process: allowed, and kept consistent
    a.append(_clip(1), _clip(2), 1.0)
    b.append(_clip(3), _clip(4), 0.0)
    a.append(_clip(5), _clip(6), 0.5)
    assert [r["label"] for r in a.records] == [r["label"] for r in b.records] == [1.0, 0.0, 0.5]
    b.undo()  # the last answer of the file, whoever gave it
    assert [r["label"] for r in a.records] == [1.0, 0.0]
    a.close()
    refused = subprocess.run(_writer(path, "B", 1), capture_output=True, text=True, timeout=120)
    assert refused.returncode == 3  # b still holds it
    b.close()
    with pytest.raises(ValueError, match="closed"):
        b.append(_clip(7), _clip(8), 1.0)
    store = LabelStore(path, read_only=True)
    pairs = store.labelled_pairs()
    assert [(l.true_rewards[0], r.true_rewards[0], lab) for l, r, lab in pairs] == [(1, 2, 1.0), (3, 4, 0.0)]
    assert not store.damaged
    done = subprocess.run(_writer(path, "B", 2), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
