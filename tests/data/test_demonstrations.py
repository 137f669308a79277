"""Demonstrations: collection is seeded, storage round-trips, appends survive reopening, bad input is named."""

import json

import gymnasium as gym
import numpy as np
import pytest

from rlhf_gym.data.demo_store import DemoWriter, load_demonstrations, save_demonstrations
from rlhf_gym.data.trajectories import check_action, collect_demonstrations, flatten_demonstrations, query_expert


def cartpole_expert(obs):
    """Push toward the side the pole leans to (a plain callable obs -> action)."""
    return int(obs[2] + 0.5 * obs[3] > 0)


class BatchedExpert:
    """SB3-style batched predict over CartPole observations."""

    def predict(self, obs, state=None, episode_start=None, deterministic=True):
        obs = np.asarray(obs)
        return (obs[:, 2] + 0.5 * obs[:, 3] > 0).astype(np.int64), state


def test_collect_is_seeded_and_keeps_true_rewards():
    env = gym.make("CartPole-v1", max_episode_steps=60)
    a = collect_demonstrations(env, cartpole_expert, 3, np.random.default_rng(1))
    b = collect_demonstrations(env, BatchedExpert(), 3, np.random.default_rng(1))
    assert len(a) == 3
    for ta, tb in zip(a, b):
        np.testing.assert_array_equal(ta.obs, tb.obs)
        np.testing.assert_array_equal(ta.actions, tb.actions)
        assert len(ta.obs) == len(ta) + 1
    # CartPole has no true_reward in info: it falls back to the env reward (1 per step).
    assert a[0].true_return == pytest.approx(len(a[0]))
    assert a[0].truncated  # the expert balances for the full 60 steps
    obs, actions = flatten_demonstrations(a)
    assert obs.shape == (sum(len(t) for t in a), 4) and actions.shape == (obs.shape[0],)


def test_save_load_round_trip_and_append(tmp_path):
    env = gym.make("FrozenLake-v1", is_slippery=True)
    policy = lambda obs: 2 if obs % 4 < 3 else 1  # right along a row, then down
    demos = collect_demonstrations(env, policy, 4, np.random.default_rng(0), path=tmp_path / "d", env_id="FrozenLake-v1")
    loaded = load_demonstrations(tmp_path / "d", env=env)
    assert len(loaded) == 4
    for t, u in zip(demos, loaded):
        np.testing.assert_array_equal(t.obs, u.obs)
        np.testing.assert_array_equal(t.actions, u.actions)
        np.testing.assert_array_equal(t.true_rewards, u.true_rewards)
        assert (t.terminated, t.truncated) == (u.terminated, u.truncated)
        assert u.infos[0]["prob"] == pytest.approx(1 / 3)
    # Reopening the folder appends after the stored episodes (a resumed session).
    collect_demonstrations(env, policy, 2, np.random.default_rng(5), path=tmp_path / "d")
    assert len(load_demonstrations(tmp_path / "d")) == 6
    meta = json.loads((tmp_path / "d" / "metadata.json").read_text())
    assert meta["observation_space"] == {"type": "Discrete", "n": 16, "start": 0}


def test_damaged_line_is_reported_with_its_number(tmp_path):
    env = gym.make("FrozenLake-v1")
    collect_demonstrations(env, lambda o: 1, 2, np.random.default_rng(0), path=tmp_path)
    index = tmp_path / "episodes.jsonl"
    lines = index.read_text().splitlines()
    index.write_text(lines[0] + "\n" + lines[1][:20] + "\n")
    with pytest.warns(UserWarning, match=r"episodes.jsonl:2"):
        assert len(load_demonstrations(tmp_path)) == 1  # the damaged line costs its episode only
    with pytest.raises(ValueError, match="line 2|jsonl:2"):
        load_demonstrations(tmp_path, strict=True)


def test_spaces_that_differ_are_refused(tmp_path):
    lake = gym.make("FrozenLake-v1")
    collect_demonstrations(lake, lambda o: 1, 1, np.random.default_rng(0), path=tmp_path)
    with pytest.raises(ValueError, match="observation_space"):
        load_demonstrations(tmp_path, env=gym.make("CartPole-v1"))
    with pytest.raises(ValueError, match="cannot append"):
        DemoWriter(tmp_path, gym.spaces.Discrete(5), lake.action_space)


def test_bad_input_is_named():
    env = gym.make("FrozenLake-v1")
    with pytest.raises(ValueError, match="outside the action space"):
        query_expert(lambda o: 7, 0, env.action_space)
    with pytest.raises(ValueError, match="outside the action space"):
        check_action(np.array([1.5]), gym.spaces.Box(-1, 1, (1,)), "expert")
    with pytest.raises(TypeError, match="expert"):
        query_expert(object(), 0, env.action_space)
    with pytest.raises(ValueError, match="n_episodes"):
        collect_demonstrations(env, lambda o: 1, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="empty"):
        flatten_demonstrations([])
    with pytest.raises(ValueError, match="no metadata"):
        load_demonstrations("/nonexistent/demos")


def test_save_demonstrations_writes_given_list(tmp_path):
    env = gym.make("FrozenLake-v1")
    demos = collect_demonstrations(env, lambda o: 2, 2, np.random.default_rng(3))
    save_demonstrations(tmp_path / "x", demos, env.observation_space, env.action_space)
    assert [len(t) for t in load_demonstrations(tmp_path / "x")] == [len(t) for t in demos]
