"""The label store loses nothing: resume, truncated last line, damaged lines, replay."""

import json

import numpy as np
import pytest

from rlhf_gym.feedback import LabelStore, ReplayTeacher, Segment


def _segs(n, rng, length=3):
    return [Segment(rng.normal(size=(length, 2)), rng.integers(0, 3, size=length), rng.normal(size=(length, 2)),
                    rng.normal(size=length)) for _ in range(n)]


def _fill(path, n=5):
    rng = np.random.default_rng(0)
    segs = _segs(2 * n, rng)
    store = LabelStore(path)
    labels = [1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 0.5][:n]
    for i, lab in enumerate(labels):
        store.append(segs[2 * i], segs[2 * i + 1], lab, teacher="test")
    return segs, labels


def test_round_trip_and_resume(tmp_path):
    segs, labels = _fill(tmp_path / "labels.jsonl")
    store = LabelStore(tmp_path / "labels.jsonl")
    pairs = store.labelled_pairs()
    assert [p[2] for p in pairs] == labels and not store.damaged
    for i, (left, right, _) in enumerate(pairs):
        assert np.array_equal(left.obs, segs[2 * i].obs) and np.array_equal(right.actions, segs[2 * i + 1].actions)
        assert np.array_equal(left.true_rewards, segs[2 * i].true_rewards)
    store.append(pairs[0][0], pairs[1][1], None)  # a skip is recorded but is no label
    assert len(LabelStore(tmp_path / "labels.jsonl")) == len(labels)


def test_truncated_last_line_keeps_every_complete_label(tmp_path):
    path = tmp_path / "labels.jsonl"
    _, labels = _fill(path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 20])  # crash in the middle of line 6 (line 1 is the header)
    with pytest.warns(UserWarning, match=r"labels.jsonl:6"):
        store = LabelStore(path)
    assert [p[2] for p in store.labelled_pairs()] == labels[:4]
    assert (tmp_path / "labels.jsonl.damaged").exists()
    left, right, _ = store.labelled_pairs()[0]
    store.append(left, right, 0.5)
    again = LabelStore(path)
    assert [p[2] for p in again.labelled_pairs()] == labels[:4] + [0.5] and not again.damaged


def test_damaged_middle_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "labels.jsonl"
    _, labels = _fill(path)
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = "{not json\n"  # line 1 is the header: answers are on lines 2..6
    rec = json.loads(lines[4])
    rec["label"] = 0.7
    lines[4] = json.dumps(rec) + "\n"
    path.write_text("".join(lines))
    with pytest.warns(UserWarning) as caught:
        store = LabelStore(path)
    assert [n for n, _ in store.damaged] == [3, 5]
    assert "labels.jsonl:3" in str(caught[0].message) and "labels.jsonl:5" in str(caught[1].message)
    assert [p[2] for p in store.labelled_pairs()] == [labels[0], labels[2], labels[4]]
    with pytest.raises(ValueError, match=r"labels.jsonl:3"):
        LabelStore(path, strict=True)


def test_bad_label_refused_and_replay_teacher(tmp_path):
    segs, labels = _fill(tmp_path / "labels.jsonl", n=3)
    store = LabelStore(tmp_path / "labels.jsonl")
    with pytest.raises(ValueError, match="label=2"):
        store.append(segs[0], segs[1], 2)
    teacher = ReplayTeacher(store)
    copy = Segment(segs[0].obs.copy(), segs[0].actions.copy(), segs[0].next_obs.copy(), segs[0].true_rewards)
    assert teacher.label(copy, segs[1]) == labels[0]
    assert teacher.label(segs[3], segs[2]) == 1.0 - labels[1]
    with pytest.raises(KeyError):
        teacher.label(segs[0], segs[5])
    assert len(teacher.pairs()) == 3
