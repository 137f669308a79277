"""TAMER: credit goes to the steps a delayed signal can be about, and a simulated trainer teaches fast."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.algorithms.tamer import (
    TabularFeatures, TamerAgent, TetrisAfterstates, UniformDelay, features_for, step_credit, train_tamer,
)
from rlhf_gym.evaluation import random_actor, run_episodes
from rlhf_gym.feedback.simulated_trainer import SimulatedTrainer, TetrisJudge, judge_for


# --------------------------------------------------------------------------- credit assignment
@pytest.mark.parametrize("t, dt", [(5.0, 0.25), (7.33, 0.25), (9.1, 1.0), (6.0, 0.7)])
def test_credit_covers_exactly_the_overlapping_steps_and_sums_to_one(t, dt):
    delay = UniformDelay(0.2, 4.0)
    steps, credits = step_credit(t, 1000, dt, delay)
    lo, hi = t - delay.high, t - delay.low
    overlapping = [i for i in range(1000) if min((i + 1) * dt, hi) - max(i * dt, lo) > 1e-12]
    assert steps.tolist() == overlapping
    assert np.all(credits > 0) and credits.sum() == pytest.approx(1.0)
    # each credit is the share of the delay interval that the step's display window covers
    share = [(min((i + 1) * dt, hi) - max(i * dt, lo)) / (hi - lo) for i in overlapping]
    np.testing.assert_allclose(credits, share)


def test_credit_of_steps_not_yet_or_no_longer_shown():
    steps, credits = step_credit(2.0, 1000, 0.25, UniformDelay(0.2, 4.0))  # the interval starts before step 0
    assert steps[0] == 0 and credits.sum() == pytest.approx((2.0 - 0.2) / 3.8)
    steps, credits = step_credit(100.0, 5, 0.25, UniformDelay(0.2, 4.0))  # long after the last step
    assert len(steps) == 0
    assert len(step_credit(0.1, 10, 0.25)[0]) == 0  # faster than any person
    with pytest.raises(ValueError, match="seconds_per_step"):
        step_credit(1.0, 3, 0.0)
    with pytest.raises(ValueError, match="high"):
        UniformDelay(2.0, 1.0)


def test_one_signal_updates_the_credited_steps_by_the_delta_rule():
    env = gym.make("rlhf_gym/GridWorld-v0")
    agent = TamerAgent(features_for(env), 1.0, np.random.default_rng(0), learning_rate=0.5)
    obs, _ = env.reset(seed=0)
    agent.begin_episode()
    for _ in range(6):
        action = agent.act(env, obs)
        obs, *_ = env.step(action)
    before = [agent.weights @ x for x in agent._history]
    assert agent.give(4.5, 1.0) == len(step_credit(4.5, 6, 1.0)[0])
    steps, credits = step_credit(4.5, 6, 1.0)
    x = agent._history[steps[-1]]
    if not any(np.array_equal(x, agent._history[s]) for s in steps[:-1]):  # a table cell credited once
        assert agent.weights @ x == pytest.approx(before[steps[-1]] + 0.5 * credits[-1] * (1.0 - before[steps[-1]]))


# --------------------------------------------------------------------------- features and trainer
def test_features_per_family_and_a_clear_error_for_the_rest():
    grid = gym.make("rlhf_gym/GridWorld-v0")
    feats = features_for(grid)
    assert isinstance(feats, TabularFeatures) and feats.n_features == grid.unwrapped.n_states * 4
    x, mask = feats(grid, 3)
    assert x.sum() == 4 and [np.flatnonzero(row).tolist() for row in x] == [[12], [13], [14], [15]] and mask.all()
    tetris = gym.make("rlhf_gym/Tetris-v0")
    tetris.reset(seed=0)
    x, mask = features_for(tetris)(tetris, None)
    assert isinstance(features_for(tetris), TetrisAfterstates) and x.shape == (40, 7)
    np.testing.assert_allclose(x[mask].mean(axis=0), 0.0, atol=1e-12)  # centred over the legal placements
    with pytest.raises(ValueError, match="Backflip.*allowed: rlhf_gym/Tetris-v0"):
        features_for(gym.make("rlhf_gym/Backflip-v0"))


def test_simulated_trainer_is_seeded_delayed_and_noisy():
    env = gym.make("rlhf_gym/GridWorld-v0")
    judge = judge_for(env)

    def signals(seed, p, err):
        trainer = SimulatedTrainer(judge, np.random.default_rng(seed), feedback_probability=p, error_rate=err)
        obs, _ = env.reset(seed=0)
        for i in range(400):
            trainer.watch(env, obs, 1, float(i))  # "right" from the start: optimal on open_room
        return trainer.signals(None)

    a, b = signals(1, 0.5, 0.2), signals(1, 0.5, 0.2)
    assert a == b and 160 < len(a) < 240  # about half the steps
    assert 0.1 < np.mean([s.value < 0 for s in a]) < 0.3  # the error rate flips the sign
    assert [s.time for s in a] == sorted(s.time for s in a)
    clean = signals(2, 1.0, 0.0)
    assert len(clean) == 400 and all(s.value == 1.0 for s in clean)
    delays = np.array([s.time for s in clean]) % 1.0  # watch times are whole seconds
    assert delays.min() >= 0.0 and delays.max() < 1.0
    with pytest.raises(ValueError, match="error_rate"):
        SimulatedTrainer(judge, np.random.default_rng(0), error_rate=1.5)


def test_tetris_judge_approves_the_experts_placement():
    env = gym.make("rlhf_gym/Tetris-v0")
    obs, _ = env.reset(seed=3)
    from rlhf_gym.experts import expert_for

    expert, judge = expert_for(env), TetrisJudge(margin=0.0, top_k=1)
    for _ in range(30):
        action = int(expert.predict(obs)[0])
        assert judge.good(env, obs, action)
        worst = int(np.argmin(np.where(env.unwrapped.afterstates()[2], env.unwrapped.afterstates()[0] @ judge.w, np.inf)))
        assert not judge.good(env, obs, worst) or np.ptp(env.unwrapped.afterstates()[0] @ judge.w) == 0
        obs, *_ = env.step(action)


def test_weights_round_trip_without_pickles(tmp_path):
    env = gym.make("rlhf_gym/Tetris-v0")
    agent = TamerAgent(features_for(env), 1.0, np.random.default_rng(0))
    agent.weights = np.arange(7.0)
    path = agent.save(tmp_path)
    other = TamerAgent(features_for(env), 1.0, np.random.default_rng(1))
    other.load_weights(path)
    np.testing.assert_array_equal(other.weights, agent.weights)
    grid = gym.make("rlhf_gym/GridWorld-v0")
    with pytest.raises(ValueError, match="features"):
        TamerAgent(features_for(grid), 1.0, np.random.default_rng(0)).load_weights(path)


# --------------------------------------------------------------------------- learning, against known truth
def _tamer(env, seed, episodes, seconds_per_step=1.0):
    agent = TamerAgent(features_for(env), seconds_per_step, np.random.default_rng([seed, 1]))
    trainer = SimulatedTrainer(judge_for(env), np.random.default_rng([seed, 2]), error_rate=0.1)
    return agent, train_tamer(env, agent, trainer, episodes, seed)


def test_tamer_beats_random_play_on_tetris_by_the_third_game():
    env = gym.make("rlhf_gym/Tetris-v0", max_pieces=300)  # at most 120 lines a game
    third, random_lines = [], []
    for seed in range(4):
        _, run = _tamer(env, seed, 3, seconds_per_step=2.0)  # a person-paced game: one placement per 2 s
        third.append(run.episode_returns[2])
        random_lines.append(run_episodes(env, random_actor(env, seed), 1, seed + 2)["true_return_mean"])
    assert np.mean(random_lines) < 2  # random placements clear about nothing
    assert np.mean(third) >= 50 and sum(lines > max(random_lines) + 50 for lines in third) >= 3


def test_tamer_beats_random_play_on_gridworld_within_five_episodes():
    env = gym.make("rlhf_gym/GridWorld-v0")  # open room: optimal return 0.93
    random_return = run_episodes(env, random_actor(env, 0), 50, 1000)["true_return_mean"]
    learned = []
    for seed in range(4):
        agent, run = _tamer(env, seed, 5)
        assert run.labels_used == sum(run.signals_per_episode) > 0
        learned.append(run_episodes(env, agent.actor(env, np.random.default_rng(seed)), 5, 1000)["true_return_mean"])
    assert random_return < 0.0
    assert np.mean(learned) > random_return + 0.5
