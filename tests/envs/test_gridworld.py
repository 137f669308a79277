"""GridWorld: the published model is a valid MDP and step() samples exactly from it."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import rlhf_gym  # noqa: F401  (registers the ids)
from rlhf_gym.envs.gridworld import OBS_TYPES, GridWorldEnv

LAYOUTS = ["open_room", "cliff_walk", "lava_maze", "lava_ledge", "objectworld"]
# Small map with walls, edges, lava, a goal, an object and two starts: every transition case.
SMALL = ["S.#a", ".L..", "S..G"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("slip,allow_stay", [(0.0, False), (0.3, True)])
def test_transition_rows_are_distributions(layout, slip, allow_stay):
    env = GridWorldEnv(layout=layout, slip=slip, allow_stay=allow_stay)
    P = env.transition_matrix
    assert P.shape == (env.n_states, env.n_actions, env.n_states) and P.dtype == np.float64
    assert np.all(P >= 0)
    np.testing.assert_allclose(P.sum(axis=2), 1.0, atol=1e-12)
    # terminal states are absorbing
    for s in np.nonzero(env.terminal_states)[0]:
        assert np.all(P[s, :, s] == 1.0)
    np.testing.assert_allclose(env.initial_state_distribution.sum(), 1.0)
    np.testing.assert_allclose(env.state_rewards, env.state_features @ env.reward_weights)
    assert env.transition_sparse.shape == (env.n_states * env.n_actions, env.n_states)


def test_known_dynamics_of_a_small_map():
    env = GridWorldEnv(layout=SMALL, slip=0.0)
    s = env.cell_to_state
    # from the top-left start: up/left bump the edge, right moves, down moves
    top_left = s[0, 0]
    assert env.next_state_table[top_left].tolist() == [top_left, s[0, 1], s[1, 0], top_left]
    # (0, 1) moving right hits the wall at (0, 2)
    assert env.next_state_table[s[0, 1], 1] == s[0, 1]
    assert env.n_states == 11  # 12 cells minus one wall
    assert env.feature_names == ("goal", "lava", "floor", "obj_a")
    np.testing.assert_allclose(env.reward_weights, [1.0, -1.0, -0.01, 1.0])
    np.testing.assert_allclose(env.initial_state_distribution[[s[0, 0], s[2, 0]]], [0.5, 0.5])


def test_slip_probabilities_match_the_documented_rule():
    env = GridWorldEnv(layout="open_room", slip=0.4)
    centre = env.cell_to_state[3, 3]  # all four neighbours are floor
    row = env.transition_matrix[centre, 1]  # intend "right"
    expected = {env.cell_to_state[3, 4]: 0.6 + 0.1, env.cell_to_state[2, 3]: 0.1,
                env.cell_to_state[4, 3]: 0.1, env.cell_to_state[3, 2]: 0.1}
    for state, p in expected.items():
        assert row[state] == pytest.approx(p)
    assert row.sum() == pytest.approx(1.0)


def test_step_samples_from_the_published_model():
    env = GridWorldEnv(layout=SMALL, slip=0.45, allow_stay=True)
    P = env.transition_matrix
    n = 4000
    env.reset(seed=7)
    for s in np.nonzero(~env.terminal_states)[0]:
        for a in range(env.n_actions):
            counts = np.zeros(env.n_states)
            for _ in range(n):
                env.reset(options={"state": int(s)})
                obs, reward, terminated, truncated, info = env.step(a)
                counts[obs] += 1
                assert reward == env.state_rewards[obs] == info["true_reward"]
                assert terminated == bool(env.terminal_states[obs]) and info["state"] == obs
            assert np.max(np.abs(counts / n - P[s, a])) < 0.035, (s, a, counts / n, P[s, a])  # ~4.4 sd


def test_terminal_states_end_the_episode_and_pay_once():
    env = GridWorldEnv(layout=["SL.", "..G"], slip=0.0)
    env.reset(seed=0)
    obs, reward, terminated, truncated, _ = env.step(1)  # into lava
    assert (reward, terminated, truncated) == (-1.0, True, False)
    obs, reward, terminated, _, _ = env.step(1)  # absorbing, nothing more
    assert (obs, reward, terminated) == (env.cell_to_state[0, 1], 0.0, True)


def test_episode_truncates_at_the_horizon():
    env = GridWorldEnv(layout="objectworld", size=5, horizon=13, allow_stay=True)
    env.reset(seed=1)
    flags = [env.step(4)[3] for _ in range(13)]
    assert flags == [False] * 12 + [True]


def test_same_seed_same_trajectory_and_uniform_starts():
    def trace(seed):
        env = GridWorldEnv(layout="objectworld", size=8, slip=0.3)
        rng = np.random.default_rng(0)
        obs, _ = env.reset(seed=seed)
        out = [obs]
        for _ in range(200):
            obs, r, term, trunc, _ = env.step(int(rng.integers(4)))
            out.append((obs, r))
            if term or trunc:
                out.append(env.reset()[0])
        return out

    assert trace(5) == trace(5)
    assert trace(5) != trace(6)
    env = GridWorldEnv(layout=["S.S", "...", "S.G"])
    env.reset(seed=3)
    starts = np.array([env.reset()[0] for _ in range(3000)])
    freq = np.bincount(starts, minlength=env.n_states) / len(starts)
    np.testing.assert_allclose(freq[freq > 0], 1 / 3, atol=0.035)
    assert set(np.nonzero(freq)[0]) == set(env.start_states.tolist())


@pytest.mark.parametrize("obs_type", OBS_TYPES)
def test_observations_round_trip_through_state_from_obs(obs_type):
    env = GridWorldEnv(layout="lava_maze", obs_type=obs_type)
    observations = [env.observation_of(s) for s in range(env.n_states)]
    for obs in observations:
        assert env.observation_space.contains(obs)
    batch = np.stack([np.asarray(o) for o in observations])
    np.testing.assert_array_equal(env.state_from_obs(batch), np.arange(env.n_states))
    single = env.state_from_obs(observations[7])
    assert single.shape == () and int(single) == 7
    obs, info = env.reset(seed=0)
    assert int(env.state_from_obs(obs)) == info["state"]


@pytest.mark.parametrize("obs_type", OBS_TYPES)
def test_both_checkers_pass(obs_type):
    for layout in ("open_room", "objectworld"):
        env = gym.make("rlhf_gym/GridWorld-v0", layout=layout, obs_type=obs_type, slip=0.1)
        gym_check_env(env.unwrapped, skip_render_check=True)
        sb3_check_env(GridWorldEnv(layout=layout, obs_type=obs_type, slip=0.1), warn=False)
        env.close()


def test_objectworld_generation():
    a = GridWorldEnv(layout="objectworld", size=12, layout_seed=4, n_colours=3)
    b = GridWorldEnv(layout="objectworld", size=12, layout_seed=4, n_colours=3)
    c = GridWorldEnv(layout="objectworld", size=12, layout_seed=5, n_colours=3)
    assert a.layout.as_rows() == b.layout.as_rows() != c.layout.as_rows()
    assert a.feature_names == ("floor", "obj_a", "obj_b", "obj_c")
    assert a.state_features.sum(axis=0).min() >= 1  # every colour is present
    np.testing.assert_allclose(a.state_features.sum(axis=1), 1.0)
    assert not a.terminal_states.any() and a.n_states == 144
    tiny = GridWorldEnv(layout="objectworld", size=2)
    assert tiny.n_states == 4
    big = GridWorldEnv(layout="objectworld", size=256)
    assert big.n_states == 65536
    assert big.transition_sparse.shape == (65536 * 4, 65536)
    with pytest.raises(ValueError, match="transition_sparse"):
        big.transition_matrix


BAD = [
    (dict(layout=["S.X", "..G"]), ["layout", "'X'", "allowed"]),
    (dict(layout=["...", "..G"]), ["start", "allowed"]),
    (dict(layout=["S#G"]), ["no goal is reachable", "allowed"]),
    (dict(layout=["SLG", "#.#"]), ["no goal is reachable"]),
    (dict(layout=["S..", ".."]), ["layout rows", "allowed"]),
    (dict(layout=["S.."]), ["no goal", "allowed"]),
    (dict(layout="mazez"), ["layout='mazez'", "open_room"]),
    (dict(layout="objectworld", size=1), ["size=1", "[2, 256]"]),
    (dict(layout="objectworld", size=257), ["size=257", "[2, 256]"]),
    (dict(layout="open_room", size=8), ["size=8", "objectworld"]),
    (dict(layout="objectworld", layout_seed=-1), ["layout_seed=-1", ">= 0"]),
    (dict(layout="objectworld", n_colours=0), ["n_colours=0", "[1, 26]"]),
    (dict(allow_stay="yes"), ["allow_stay='yes'", "True or False"]),
    (dict(slip=-0.1), ["slip=-0.1", "[0.0, 1.0]"]),
    (dict(slip=1.5), ["slip=1.5", "[0.0, 1.0]"]),
    (dict(obs_type="pixels"), ["obs_type='pixels'", "onehot"]),
    (dict(render_mode="ansi"), ["render_mode='ansi'", "rgb_array"]),
    (dict(horizon=3), ["horizon=3", ">= 8"]),
    (dict(reward_weights=[1.0]), ["reward_weights", "goal", "floor"]),
    (dict(reward_weights={"lava": 1.0}), ["reward_weights", "lava"]),
    (dict(reward_weights=[1.0, 0.0], step_cost=0.1), ["step_cost=0.1", "reward_weights"]),
    (dict(obs_cell_px=4), ["obs_cell_px=4", "rgb"]),
]


@pytest.mark.parametrize("kwargs,words", BAD)
def test_bad_input_names_argument_value_and_allowed(kwargs, words):
    with pytest.raises(ValueError) as err:
        GridWorldEnv(**kwargs)
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_bad_step_and_reset_arguments():
    env = GridWorldEnv()
    env.reset(seed=0)
    for action in (4, -1, 1.5):
        with pytest.raises(ValueError, match=r"action=.*\[0, 4\)"):
            env.step(action)
    with pytest.raises(ValueError, match=r"options\['state'\]=99"):
        env.reset(options={"state": 99})
    with pytest.raises(ValueError, match="one-hot"):
        GridWorldEnv(obs_type="onehot").state_from_obs(np.zeros(25, dtype=np.float32))


def test_custom_reward_weights_change_the_reward():
    env = GridWorldEnv(layout=SMALL, reward_weights={"obj_a": 2.0, "goal": 5.0})
    np.testing.assert_allclose(env.reward_weights, [5.0, 0.0, 0.0, 2.0])
    assert env.state_rewards[env.cell_to_state[0, 3]] == 2.0
