"""A label store knows its env: labels from GridWorld never train a LavaMaze reward without a word."""

import json

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.feedback import LabelStore, Segment

GRID, LAVA = "rlhf_gym/GridWorld-v0", "rlhf_gym/LavaMaze-v0"


def _env_info(env_id):
    env = gym.make(env_id)
    return {"env_id": env_id, "observation_space": env.observation_space, "action_space": env.action_space}


def _pair(rng):
    return [Segment(rng.integers(0, 25, size=4), rng.integers(0, 4, size=4), rng.integers(0, 25, size=4),
                    rng.normal(size=4)) for _ in range(2)]


def test_the_header_records_the_env_and_check_env_names_what_differs(tmp_path):
    path = tmp_path / "labels.jsonl"
    with LabelStore(path, **_env_info(GRID)) as store:
        store.append(*_pair(np.random.default_rng(0)), 1.0)
    header = json.loads(path.read_text().splitlines()[0])
    assert header["format"] == "rlhf_gym.labels" and header["version"] == 1 and header["env_id"] == GRID
    assert header["observation_space"] == {"type": "Discrete", "n": 25, "start": 0}
    store = LabelStore(path, read_only=True)
    assert store.env_id == GRID and len(store) == 1
    store.check_env(**_env_info(GRID))
    with pytest.raises(ValueError, match=r"env id: recorded on 'rlhf_gym/GridWorld-v0', given 'rlhf_gym/LavaMaze-v0'"):
        store.check_env(**_env_info(LAVA))
    with pytest.raises(ValueError, match=r"observation_space: stored Discrete\(n=25, start=0\), given Discrete\(n=41"):
        store.check_env(**_env_info(LAVA))
    with pytest.raises(ValueError, match=r"observation_space: stored Discrete.*given Box\(shape=\(4,\)\)"):
        store.check_env(GRID, gym.spaces.Box(-1, 1, (4,)), gym.spaces.Discrete(4))
    with pytest.raises(ValueError, match=r"action_space: .*\(n differs\)"):
        store.check_env(GRID, gym.spaces.Discrete(25), gym.spaces.Discrete(5))
    with pytest.raises(ValueError, match="LavaMaze"):  # reopening for appending checks too
        LabelStore(path, **_env_info(LAVA))
    with LabelStore(path, **_env_info(GRID)) as again:
        again.append(*_pair(np.random.default_rng(1)), 0.0)
    assert len(LabelStore(path, read_only=True)) == 2


def test_box_spaces_are_compared_by_shape_and_bounds(tmp_path):
    box = gym.spaces.Box(np.array([-1.0, 0.0], dtype=np.float32), np.array([1.0, np.inf], dtype=np.float32))
    with LabelStore(tmp_path / "l.jsonl", env_id="X-v0", observation_space=box, action_space=gym.spaces.Discrete(2)):
        pass
    store = LabelStore(tmp_path / "l.jsonl", read_only=True)
    store.check_env("X-v0", box, gym.spaces.Discrete(2))
    wider = gym.spaces.Box(np.array([-2.0, 0.0], dtype=np.float32), np.array([1.0, np.inf], dtype=np.float32))
    with pytest.raises(ValueError, match=r"low bound 0 differs: stored -1, given -2"):
        store.check_env("X-v0", wider, gym.spaces.Discrete(2))
    with pytest.raises(ValueError, match=r"shape differs"):
        store.check_env(None, gym.spaces.Box(-1, 1, (3,)), None)


def test_an_old_file_without_header_opens_and_skips_the_check_with_a_warning(tmp_path):
    path = tmp_path / "labels.jsonl"
    with LabelStore(path) as store:
        store.append(*_pair(np.random.default_rng(0)), 1.0)
        store.append(*_pair(np.random.default_rng(1)), 0.5)
    lines = path.read_text().splitlines(keepends=True)
    old = []
    for line in lines[1:]:  # today's format: no header, no clip hashes
        rec = json.loads(line)
        del rec["left_fp"], rec["right_fp"]
        old.append(json.dumps(rec) + "\n")
    path.write_text("".join(old))
    store = LabelStore(path, read_only=True)
    assert store.env_id is None and store.header is None and [r["label"] for r in store.records] == [1.0, 0.5]
    with pytest.warns(UserWarning, match="records no env"):
        store.check_env(**_env_info(LAVA))
    with pytest.warns(UserWarning, match="records no env"):
        appender = LabelStore(path, **_env_info(GRID))
    with appender:
        appender.append(*_pair(np.random.default_rng(2)), 0.0)
    assert [r["label"] for r in LabelStore(path, read_only=True).records] == [1.0, 0.5, 0.0]
    assert json.loads(path.read_text().splitlines()[0])["label"] == 1.0  # nothing was rewritten


def test_bad_headers_and_env_arguments_are_named(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"format": "rlhf_gym.labels", "version": 7, "env_id": null}\n')
    with pytest.raises(ValueError, match=r"version 7; allowed: 1\.\.1"):
        LabelStore(path, read_only=True)
    path.write_text('{"format": "rlhf_gym.demonstrations", "version": 1}\n')
    with pytest.raises(ValueError, match="has format 'rlhf_gym.demonstrations'"):
        LabelStore(path, read_only=True)
    with pytest.raises(ValueError, match="env_id=3"):
        LabelStore(tmp_path / "new.jsonl", env_id=3)
    with pytest.raises(ValueError, match=r"observation_space=.*allowed: gymnasium Box or Discrete"):
        LabelStore(tmp_path / "new2.jsonl", env_id="X-v0", observation_space=gym.spaces.MultiBinary(3))
    assert not (tmp_path / "new2.jsonl").exists()
