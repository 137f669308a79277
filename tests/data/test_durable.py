"""The durable-write helpers both stores use: appends land whole, replaced files are whole."""

import numpy as np
import pytest

from rlhf_gym.data.durable import append_bytes, append_line, truncate, write_atomic


def test_append_line_adds_one_newline_and_keeps_earlier_lines(tmp_path):
    path = tmp_path / "log.jsonl"
    append_line(path, '{"a": 1}')
    append_line(path, '{"b": 2}\n')
    append_bytes(path, b"tail")
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\ntail'
    truncate(path, len(b'{"a": 1}\n{"b": 2}\n'))
    assert path.read_text().splitlines() == ['{"a": 1}', '{"b": 2}']


def test_write_atomic_replaces_whole_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "meta.json"
    write_atomic(path, b"old")
    write_atomic(path, b"new")
    arrays = {"x": np.arange(3)}
    write_atomic(tmp_path / "a.npz", lambda handle: np.savez(handle, **arrays))
    assert path.read_bytes() == b"new"
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:
        np.testing.assert_array_equal(data["x"], np.arange(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "meta.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "meta.json"
    write_atomic(path, b"old")

    def boom(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(path, boom)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]
