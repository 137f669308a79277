"""Damage costs only what it touches: bad lines, bad labels, truncated or missing chunks; undo; extra fields.

Every fault is made on real files: lines written by hand, real npz chunks cut short or deleted.
"""

import json

import numpy as np
import pytest

from rlhf_gym.feedback import LabelStore, Segment


def _segs(n, rng, length=3):
    return [Segment(rng.normal(size=(length, 2)), rng.integers(0, 3, size=length), rng.normal(size=(length, 2)),
                    rng.normal(size=length)) for _ in range(n)]


def _fill(path, labels=(1.0, 0.0, 0.5, 1.0, 0.0), seed=0):
    segs = _segs(2 * len(labels), np.random.default_rng(seed))
    with LabelStore(path) as store:
        for i, lab in enumerate(labels):
            store.append(segs[2 * i], segs[2 * i + 1], lab, teacher="test")
    return segs, list(labels)


def _set_line(path, number, text):
    lines = path.read_text().splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    path.write_text("".join(lines))


def _record(path, number):
    return json.loads(path.read_text().splitlines()[number - 1])


def test_a_line_without_label_costs_that_answer_only(tmp_path):
    path = tmp_path / "labels.jsonl"
    _, labels = _fill(path)
    rec = _record(path, 3)
    del rec["label"]
    _set_line(path, 3, json.dumps(rec))
    with pytest.warns(UserWarning, match=r"labels.jsonl:3: answer skipped \(no 'label' key\)"):
        store = LabelStore(path, read_only=True)
    assert [p[2] for p in store.labelled_pairs()] == labels[:1] + labels[2:]
    assert all("label" in r for r in store.records) and len(store) == 4
    with pytest.raises(ValueError, match=r"labels.jsonl:3.*no 'label' key"):
        LabelStore(path, read_only=True, strict=True)


@pytest.mark.parametrize("bad", [True, False, "1", 2, -1, 0.7, [1], {"x": 1}, float("nan")])
def test_a_label_that_is_not_exactly_1_0_half_or_null_is_refused(tmp_path, bad):
    path = tmp_path / "labels.jsonl"
    segs, labels = _fill(path, labels=(1.0, 0.0, 0.5))
    rec = _record(path, 2)
    rec["label"] = bad
    _set_line(path, 2, json.dumps(rec))
    with pytest.warns(UserWarning, match=r"labels.jsonl:2: answer skipped \(label="):
        store = LabelStore(path, read_only=True)
    assert [p[2] for p in store.labelled_pairs()] == [0.0, 0.5]  # true is not read as 1.0
    with LabelStore(tmp_path / "other.jsonl") as other:
        with pytest.raises(ValueError, match="label="):
            other.append(segs[0], segs[1], bad)
        assert other.records == []


def test_integer_labels_and_null_are_read_as_the_allowed_values(tmp_path):
    path = tmp_path / "labels.jsonl"
    _fill(path, labels=(1.0, 0.0, None))
    for number, value in ((2, 1), (3, 0)):
        rec = _record(path, number)
        rec["label"] = value
        _set_line(path, number, json.dumps(rec))
    store = LabelStore(path, read_only=True)
    assert [r["label"] for r in store.records] == [1.0, 0.0, None] and not store.damaged
    assert all(type(r["label"]) is float for r in store.records[:2])
    assert len(store) == 2


def _chunks(path):
    return sorted((path.parent / (path.name + ".segments")).glob("*.npz"))


def test_a_truncated_chunk_costs_only_the_answers_that_use_it(tmp_path):
    path = tmp_path / "labels.jsonl"
    segs, labels = _fill(path)
    chunks = _chunks(path)
    assert len(chunks) == 5  # one chunk per answer (its two clips)
    damaged = chunks[2]
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    before = damaged.read_bytes()
    with pytest.warns(UserWarning) as caught:
        store = LabelStore(path)
    messages = [str(w.message) for w in caught]
    assert any(damaged.name in m and "unreadable" in m for m in messages)
    assert any("labels.jsonl:4" in m and damaged.name in m and "damaged" in m for m in messages)
    assert [p[2] for p in store.labelled_pairs()] == labels[:2] + labels[3:]
    for (left, right, _), i in zip(store.labelled_pairs(), (0, 1, 3, 4)):
        assert np.array_equal(left.obs, segs[2 * i].obs) and np.array_equal(right.obs, segs[2 * i + 1].obs)
    # New clips never reuse the ids of the damaged chunk, and the damaged chunk is never overwritten.
    fresh = _segs(2, np.random.default_rng(9))
    store.append(fresh[0], fresh[1], 1.0)
    assert min(fresh[0].seg_id, fresh[1].seg_id) >= 10
    assert damaged.read_bytes() == before
    store.close()
    with pytest.warns(UserWarning):
        again = LabelStore(path, read_only=True)
    assert [p[2] for p in again.labelled_pairs()] == labels[:2] + labels[3:] + [1.0]


@pytest.mark.parametrize("how", ["deleted", "empty", "not a zip"])
def test_a_missing_or_garbled_chunk_costs_only_its_answers(tmp_path, how):
    path = tmp_path / "labels.jsonl"
    _, labels = _fill(path)
    chunk = _chunks(path)[0]
    if how == "deleted":
        chunk.unlink()
    else:
        chunk.write_bytes(b"" if how == "empty" else b"PK\x03\x04 garbage")
    with pytest.warns(UserWarning) as caught:
        store = LabelStore(path, read_only=True)
    assert any("labels.jsonl:2: answer skipped (left=0 " in str(w.message) for w in caught)
    assert [n for n, _ in store.damaged] == ([2] if how == "deleted" else [0, 2])
    assert [p[2] for p in store.labelled_pairs()] == labels[1:]


def test_an_answer_never_points_at_a_clip_it_was_not_given(tmp_path):
    """A chunk replaced by other clips under the same ids (what two unlocked writers used to do)."""
    path = tmp_path / "labels.jsonl"
    _, labels = _fill(path)
    chunks = _chunks(path)
    with np.load(chunks[1]) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["ids"] = np.array([0, 1])  # chunk 1's clips now claim ids 0 and 1
    np.savez_compressed(chunks[0], **arrays)
    with pytest.warns(UserWarning, match=r"labels.jsonl:2: answer skipped \(left=0 is not the clip that was answered"):
        store = LabelStore(path, read_only=True)
    assert [p[2] for p in store.labelled_pairs()] == labels[1:]


def test_read_only_changes_nothing_on_disk(tmp_path):
    path = tmp_path / "labels.jsonl"
    _fill(path)
    raw = path.read_bytes()
    path.write_bytes(raw[:-15])  # a crash in the middle of the last line
    with pytest.warns(UserWarning, match=r"labels.jsonl:6: incomplete last line skipped"):
        store = LabelStore(path, read_only=True)
    assert len(store) == 4 and path.read_bytes() == raw[:-15]
    assert not (tmp_path / "labels.jsonl.damaged").exists()
    with pytest.raises(ValueError, match="read_only=True"):
        store.append(store.segments[0], store.segments[1], 1.0)
    with pytest.raises(ValueError, match="does not exist"):
        LabelStore(tmp_path / "missing.jsonl", read_only=True)


def test_undo_appends_and_a_reopened_store_no_longer_holds_the_answer(tmp_path):
    path = tmp_path / "labels.jsonl"
    segs, labels = _fill(path)
    with LabelStore(path) as store:
        before = path.read_bytes()
        gone = store.undo()
        assert gone["label"] == labels[-1] and len(store.records) == 4
        assert path.read_bytes().startswith(before)  # append-only: nothing written is rewritten
        assert json.loads(path.read_text().splitlines()[-1])["undo"] == 6  # the line of the answer withdrawn
    assert [r["label"] for r in LabelStore(path, read_only=True).records] == labels[:4]
    with LabelStore(path) as store:
        store.undo()
        store.undo()
        store.append(segs[0], segs[3], 0.5, seconds=3.2, source="human")
    again = LabelStore(path, read_only=True)
    assert [r["label"] for r in again.records] == labels[:2] + [0.5] and not again.damaged
    assert again.records[-1]["seconds"] == 3.2 and again.records[-1]["source"] == "human"
    assert again.records[0]["teacher"] == "test"
    with LabelStore(path) as store:
        for _ in range(3):
            store.undo()
        with pytest.raises(ValueError, match="no answer to undo"):
            store.undo()
    assert LabelStore(path, read_only=True).records == []


def test_a_hand_written_undo_that_points_nowhere_is_reported(tmp_path):
    path = tmp_path / "labels.jsonl"
    _, labels = _fill(path, labels=(1.0, 0.0))
    with open(path, "a") as handle:
        handle.write('{"undo": 99}\n{"undo": 2}\n{"undo": 2}\n{"undo": true}\n')
    with pytest.warns(UserWarning) as caught:
        store = LabelStore(path, read_only=True)
    assert [n for n, _ in store.damaged] == [4, 6, 7] and len(caught) == 3
    assert [r["label"] for r in store.records] == [0.0]


def test_extra_fields_are_checked_before_anything_is_written(tmp_path):
    path = tmp_path / "labels.jsonl"
    segs, _ = _fill(path, labels=(1.0,))
    with LabelStore(path) as store:
        size = path.stat().st_size
        with pytest.raises(ValueError, match=r"\['undo'\].*reserved"):
            store.append(segs[0], segs[1], 1.0, undo=3)
        with pytest.raises(ValueError, match="cannot be stored as JSON"):
            store.append(segs[0], segs[1], 1.0, payload=object())
        assert path.stat().st_size == size and len(store.records) == 1
        store.append(segs[0], segs[1], None, source="human", reason={"keys": ["space"]})
    rec = LabelStore(path, read_only=True).records[-1]
    assert rec["label"] is None and rec["reason"] == {"keys": ["space"]}


def test_a_whole_last_line_without_its_newline_is_kept(tmp_path):
    path = tmp_path / "labels.jsonl"
    segs, labels = _fill(path, labels=(1.0, 0.0))
    path.write_bytes(path.read_bytes()[:-1])  # crash after the record, before its newline
    with LabelStore(path) as store:
        assert [r["label"] for r in store.records] == labels and not store.damaged
        store.append(segs[0], segs[1], 0.5)
    assert [r["label"] for r in LabelStore(path, read_only=True).records] == labels + [0.5]
