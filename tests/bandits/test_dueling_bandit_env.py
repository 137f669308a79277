"""DuelingBandit-v0: validation, winner frequencies, the built-in instances and per-step regret."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.bandits import builtin_instance, condorcet_winner, copeland_scores
from rlhf_gym.experts import expert_for

TWO = [[0.5, 0.8], [0.2, 0.5]]


@pytest.mark.parametrize("bad, words", [
    ([[0.5, 0.8], [0.3, 0.5]], "P[i, j] + P[j, i] = 1"),
    ([[0.5, 1.2], [-0.2, 0.5]], "in [0, 1]"),
    ([[0.4, 0.6], [0.4, 0.6]], "P[i, i] = 0.5"),
    ([[0.5, 0.5, 0.5]], "square"),
    ([[0.5]], "K >= 2"),
    ("abc", "square"),
])
def test_bad_matrices_are_refused_naming_the_argument(bad, words):
    with pytest.raises(ValueError, match="preferences") as err:
        gym.make("rlhf_gym/DuelingBandit-v0", preferences=bad)
    assert words in str(err.value)


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True])
def test_bad_horizon_is_refused(horizon):
    with pytest.raises(ValueError, match=r"horizon=.*allowed: an integer >= 1"):
        gym.make("rlhf_gym/DuelingBandit-v0", horizon=horizon)


def test_unknown_instance_is_refused():
    with pytest.raises(ValueError, match=r"instance: got 'nope'; allowed: one of \['bradley_terry'"):
        gym.make("rlhf_gym/DuelingBandit-v0", instance="nope")


@pytest.mark.parametrize("action", [[0, 16], [-1, 3], [1.0, 2.0], [1, 2, 3], 5])
def test_bad_actions_are_refused_with_the_allowed_range(action):
    env = gym.make("rlhf_gym/DuelingBandit-v0")
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action=.*allowed: two integer arm indices .* in \[0, 15\]"):
        env.step(np.asarray(action) if not isinstance(action, int) else action)


def test_winners_are_drawn_with_the_matrix_frequencies():
    env = gym.make("rlhf_gym/DuelingBandit-v0", preferences=TWO, horizon=20_000)
    env.reset(seed=5)
    firsts = [env.step(np.array([0, 1]))[0] == 1 for _ in range(20_000)]
    assert abs(np.mean(firsts) - 0.8) < 4 * np.sqrt(0.16 / 20_000)  # 4 standard errors
    seconds = [env.step(np.array([1, 0]))[0] == 2 for _ in range(5000)]  # arm 0 still wins 80%
    assert abs(np.mean(seconds) - 0.8) < 4 * np.sqrt(0.16 / 5000)


def test_regret_in_info_and_the_fixed_horizon():
    env = gym.make("rlhf_gym/DuelingBandit-v0", preferences=TWO, horizon=3)
    assert env.reset(seed=0)[0] == 0
    _, reward, term, trunc, info = env.step(np.array([1, 1]))
    assert reward == info["true_reward"] == pytest.approx(-0.3)  # (0.3 + 0.3) / 2
    assert info["weak_regret"] == pytest.approx(0.3) and info["copeland_regret"] == pytest.approx(1.0)
    _, reward, term, trunc, info = env.step(np.array([0, 1]))
    assert reward == pytest.approx(-0.15) and info["weak_regret"] == 0.0 and not trunc
    _, reward, term, trunc, _ = env.step(np.array([0, 0]))
    assert reward == 0.0 and trunc and not term


def test_builtin_instances():
    bt, hard, cop = (builtin_instance(n) for n in ("bradley_terry", "condorcet_hard", "copeland"))
    assert bt.shape == (16, 16) and condorcet_winner(bt) == 15
    assert bt[15, 14] == pytest.approx(1 / (1 + np.exp(-0.2)))
    assert condorcet_winner(hard) == 7 and np.allclose(hard[7, :7], 0.55)
    assert condorcet_winner(cop) is None
    scores = copeland_scores(cop)
    assert scores.max() == 6 and np.flatnonzero(scores == 6).tolist() == [7]


def test_copeland_instance_rewards_copeland_regret_and_expert_plays_the_best_pair():
    env = gym.make("rlhf_gym/DuelingBandit-v0", instance="copeland")
    env.reset(seed=0)
    assert env.unwrapped.regret_kind == "copeland"
    actions, _ = expert_for(env).predict(np.zeros(4, dtype=np.int64))
    assert actions.shape == (4, 2) and (actions == 7).all()
    _, reward, _, _, info = env.step(actions[0])
    assert reward == 0.0 and np.isnan(info["strong_regret"])
    _, reward, _, _, _ = env.step(np.array([0, 0]))
    assert reward == pytest.approx(-(6 - 0) / 7)  # arm 0 (rank 7) beats no arm


def test_rgb_array_frame():
    env = gym.make("rlhf_gym/DuelingBandit-v0", render_mode="rgb_array", cell_size=4)
    env.reset(seed=0)
    env.step(np.array([2, 3]))
    frame = env.render()
    assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8
    assert tuple(frame[2 * 4 + 1, 3 * 4 + 1]) == (220, 30, 30)
