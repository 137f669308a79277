"""The Tetris expert: clears hundreds of lines in a seeded game, is batched on board observations,
and refuses a features observation that is not its env's current one."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.experts import expert_for
from rlhf_gym.experts.tetris import DELLACHERIE, TetrisExpert, weight_vector

ENV_ID = "rlhf_gym/Tetris-v0"


def play(env, expert, seed):
    obs, info = env.reset(seed=seed)
    done = truncated = False
    while not done:
        obs, reward, terminated, truncated, info = env.step(expert.predict(obs)[0])
        assert reward == info["true_reward"]
        done = terminated or truncated
    return info, truncated


def test_expert_clears_at_least_500_lines_in_a_seeded_game():
    env = gym.make(ENV_ID, max_pieces=1400)  # at most 560 lines: the board must stay nearly empty
    expert = expert_for(env)
    assert isinstance(expert, TetrisExpert)
    info, truncated = play(env, expert, seed=0)
    assert truncated and info["pieces"] == 1400 and info["lines"] >= 500


def test_random_play_clears_almost_nothing():
    env = gym.make(ENV_ID)
    env.action_space.seed(0)
    lines = 0
    for seed in range(20):
        env.reset(seed=seed)
        done = False
        while not done:
            _, _, terminated, truncated, info = env.step(env.action_space.sample())
            done = terminated or truncated
        lines += info["lines"]
    assert lines / 20 < 2


def test_board_observations_are_batched_and_give_the_features_experts_moves():
    boards = [gym.make(ENV_ID, obs_type="board") for _ in range(3)]
    plain = gym.make(ENV_ID)
    expert, plain_expert = expert_for(boards[0]), expert_for(plain)
    obs = np.stack([env.reset(seed=seed)[0] for seed, env in enumerate(boards)])
    plain_obs, _ = plain.reset(seed=0)
    for _ in range(40):
        actions, state = expert.predict(obs)
        assert state is None and actions.shape == (3,) and actions.dtype == np.int64
        single, _ = expert.predict(obs[0])
        assert single.shape == () and single == actions[0]
        assert actions[0] == plain_expert.predict(plain_obs)[0]  # same game (seed 0), same moves
        assert all(env.unwrapped.action_masks()[a] for env, a in zip(boards, actions))
        obs = np.stack([env.step(a)[0] for env, a in zip(boards, actions)])
        plain_obs = plain.step(actions[0])[0]


def test_features_observations_must_be_the_envs_current_one():
    env = gym.make(ENV_ID)
    expert = expert_for(env)
    obs, _ = env.reset(seed=0)
    with pytest.raises(ValueError, match="obs_type='board'"):
        expert.predict(np.stack([obs, obs]))
    with pytest.raises(ValueError, match="not that env's current one"):
        expert.predict(obs + 1)
    with pytest.raises(ValueError, match="shape"):
        expert.predict(obs[:5])


def test_weights_name_afterstate_features():
    assert weight_vector(DELLACHERIE).sum() == -7.0
    with pytest.raises(ValueError, match="unknown feature"):
        TetrisExpert(gym.make(ENV_ID), weights={"bumpiness": -1.0})
    with pytest.raises(ValueError, match="Tetris env"):
        TetrisExpert(gym.make("CartPole-v1"))
