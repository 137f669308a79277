"""Demonstrations lose only what is damaged: a cut or corrupt episode file costs that episode, a
half-written last index line is set aside and the folder carries on, and one writer at a time."""

import json
import os
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

from rlhf_gym.data.demo_store import DemoWriter, load_demonstrations
from rlhf_gym.data.trajectories import collect_demonstrations


def _collect(path, n=4, seed=0):
    env = gym.make("FrozenLake-v1", is_slippery=True)
    return collect_demonstrations(env, lambda o: 2 if o % 4 < 3 else 1, n, np.random.default_rng(seed), path=path)


@pytest.mark.parametrize("how", ["truncated", "deleted", "garbage", "wrong arrays"])
def test_a_damaged_episode_file_costs_that_episode_only(tmp_path, how):
    demos = _collect(tmp_path)
    episode = tmp_path / "episode_000001.npz"
    if how == "truncated":
        episode.write_bytes(episode.read_bytes()[: episode.stat().st_size // 2])
    elif how == "deleted":
        episode.unlink()
    elif how == "garbage":
        episode.write_bytes(b"\x00" * 64)
    else:
        np.savez(episode, obs=np.zeros(3), actions=np.zeros(5), rewards=np.zeros(5), true_rewards=np.zeros(5))
    with pytest.warns(UserWarning, match=r"episodes.jsonl:2: episode episode_000001.npz skipped"):
        loaded = load_demonstrations(tmp_path)
    assert [len(t) for t in loaded] == [len(demos[i]) for i in (0, 2, 3)]
    np.testing.assert_array_equal(loaded[1].obs, demos[2].obs)
    with pytest.raises(ValueError, match="episode_000001.npz"):
        load_demonstrations(tmp_path, strict=True)


def test_a_half_written_last_index_line_is_set_aside_and_the_folder_resumes(tmp_path):
    demos = _collect(tmp_path, n=3)
    index = tmp_path / "episodes.jsonl"
    raw = index.read_bytes()
    index.write_bytes(raw[:-25])  # a crash while writing episode 3's line (its npz is already there)
    with pytest.warns(UserWarning, match=r"episodes.jsonl:3: incomplete last line skipped"):
        assert len(load_demonstrations(tmp_path)) == 2
    assert index.read_bytes() == raw[:-25]  # reading changes nothing
    orphan = (tmp_path / "episode_000002.npz").read_bytes()
    with pytest.warns(UserWarning, match=r"episodes.jsonl:3: incomplete last line moved to episodes.jsonl.damaged"):
        more = _collect(tmp_path, n=2, seed=7)
    assert (tmp_path / "episodes.jsonl.damaged").read_text().startswith("line 3: ")
    assert (tmp_path / "episode_000002.npz").read_bytes() == orphan  # never overwritten
    loaded = load_demonstrations(tmp_path)  # no warning: the index is clean again
    assert [len(t) for t in loaded] == [len(t) for t in demos[:2] + more]
    assert [json.loads(line)["file"] for line in index.read_text().splitlines()] == [
        "episode_000000.npz", "episode_000001.npz", "episode_000003.npz", "episode_000004.npz"]


def test_a_damaged_middle_line_never_lets_a_new_episode_replace_an_old_one(tmp_path):
    _collect(tmp_path, n=3)
    index = tmp_path / "episodes.jsonl"
    lines = index.read_text().splitlines(keepends=True)
    lines[0] = '{"file": "episode_000000.npz", "terminated": "yes"}\n'
    index.write_text("".join(lines))
    before = {p.name: p.read_bytes() for p in tmp_path.glob("episode_*.npz")}
    with pytest.warns(UserWarning, match=r"episodes.jsonl:1: damaged line skipped"):
        _collect(tmp_path, n=1, seed=3)
    for name, data in before.items():
        assert (tmp_path / name).read_bytes() == data
    with pytest.warns(UserWarning, match=r"episodes.jsonl:1"):
        assert len(load_demonstrations(tmp_path)) == 3


def test_an_index_line_naming_a_file_outside_the_folder_is_refused(tmp_path):
    _collect(tmp_path, n=1)
    with open(tmp_path / "episodes.jsonl", "a") as handle:
        handle.write(json.dumps({"file": "../secret.npz", "terminated": True, "truncated": False}) + "\n")
    with pytest.warns(UserWarning, match=r"episodes.jsonl:2: damaged line skipped \(file='../secret.npz'"):
        assert len(load_demonstrations(tmp_path)) == 1


def test_one_writer_at_a_time(tmp_path):
    env = gym.make("FrozenLake-v1")
    with DemoWriter(tmp_path, env.observation_space, env.action_space, env_id="FrozenLake-v1"):
        with pytest.raises(ValueError, match=rf"demonstrations {tmp_path} is open for writing by pid {os.getpid()}"):
            DemoWriter(tmp_path, env.observation_space, env.action_space)
        script = ("import gymnasium as gym; from rlhf_gym.data.demo_store import DemoWriter; "
                  f"e = gym.make('FrozenLake-v1'); DemoWriter({str(tmp_path)!r}, e.observation_space, e.action_space)")
        other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert other.returncode != 0 and f"by pid {os.getpid()} on host" in other.stderr
        assert load_demonstrations(tmp_path) == []  # readers take no lock
    with pytest.raises(ValueError, match="of env 'FrozenLake-v1'; cannot append episodes of env 'Other-v0'"):
        DemoWriter(tmp_path, env.observation_space, env.action_space, env_id="Other-v0")
    writer = DemoWriter(tmp_path, env.observation_space, env.action_space)
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.append(_collect(tmp_path / "elsewhere", n=1)[0])
