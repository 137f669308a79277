"""Apprenticeship learning (projection algorithm): feature expectations within ε, and the bound holds."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.algorithms.apprenticeship import (
    UniformPlan,
    apprenticeship_learning,
    feature_expectations,
    mixture_return,
)
from rlhf_gym.data.trajectories import collect_demonstrations
from rlhf_gym.planning import hard_value_iteration, sample_states, tabular_model

GAMMA = 0.99


def test_feature_expectations_are_exact():
    """The forward pass equals the Monte-Carlo average of discounted feature counts."""
    env = gym.make("rlhf_gym/LavaMaze-v0", slip=0.2)
    model = tabular_model(env)
    plan = hard_value_iteration(model, env.unwrapped.state_rewards, GAMMA)
    mu = feature_expectations(model, plan, GAMMA)
    episodes = sample_states(model, plan, 20_000, np.random.default_rng(0))
    mc = np.mean([(GAMMA ** np.arange(len(s) - 1)) @ model.features[s[1:]] for s in episodes], axis=0)
    np.testing.assert_allclose(mc, mu, atol=0.02 * np.abs(mu).max())


def test_mixture_expert_is_matched_within_epsilon():
    """μ_E inside the hull (a mix of three policies) takes a real mixture to reach.

    (Points on the hull's boundary are reached only slowly by the projection method.)
    """
    env = gym.make("rlhf_gym/LavaMaze-v0", slip=0.1)
    model = tabular_model(env)
    base = env.unwrapped
    goal_seeking = hard_value_iteration(model, base.state_rewards, GAMMA)
    lava_seeking = hard_value_iteration(model, base.state_features @ np.array([0.0, 1.0, -0.01]), GAMMA)
    uniform = UniformPlan(model.n_states, model.n_actions)
    mix = ((0.6, goal_seeking), (0.2, lava_seeking), (0.2, uniform))
    mu_e = sum(wt * feature_expectations(model, plan, GAMMA) for wt, plan in mix)
    eps = 0.02
    result = apprenticeship_learning(env, expert_feature_expectations=mu_e, discount=GAMMA, epsilon=eps, max_iters=200)
    assert result.converged and result.distance <= eps
    assert len(result.plans) >= 5  # one best response is not enough
    assert np.all(result.weights >= 0) and result.weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(result.weights @ result.feature_expectations, result.mu_mixture)
    # The guarantee: for any linear reward the mixture's return is within ||w|| * distance of the expert's.
    expert_return = lambda r: sum(wt * mixture_return(model, _single(plan), r, GAMMA) for wt, plan in mix)
    rng = np.random.default_rng(0)
    for w in [base.reward_weights, *rng.normal(size=(5, 3))]:
        r = base.state_features @ w
        gap = abs(mixture_return(model, result, r, GAMMA) - expert_return(r))
        assert gap <= result.guaranteed_gap(w) + 1e-9


def _single(plan):
    from types import SimpleNamespace

    return SimpleNamespace(weights=np.array([1.0]), plans=[plan])


def test_from_demonstrations_reaches_the_expert_return():
    from rlhf_gym.experts import expert_for

    env = gym.make("rlhf_gym/ObjectWorld-v0", size=8, slip=0.1)
    model = tabular_model(env)
    r = env.unwrapped.state_rewards
    demos = collect_demonstrations(env, expert_for(env), 50, np.random.default_rng(0))
    result = apprenticeship_learning(env, demos, discount=GAMMA, epsilon=0.05, max_iters=50)
    expert = mixture_return(model, _single(hard_value_iteration(model, r, GAMMA)), r, GAMMA)
    assert mixture_return(model, result, r, GAMMA) >= 0.95 * expert
    assert result.distances[-1] < 0.01 * result.distances[0]
    assert result.best_policy().shape == (model.n_states,)


def test_apprenticeship_bad_input():
    env = gym.make("rlhf_gym/LavaMaze-v0")
    with pytest.raises(ValueError, match="exactly one"):
        apprenticeship_learning(env)
    with pytest.raises(ValueError, match="empty"):
        apprenticeship_learning(env, [])
    with pytest.raises(ValueError, match="epsilon"):
        apprenticeship_learning(env, expert_feature_expectations=np.zeros(3), epsilon=0)
    with pytest.raises(ValueError, match="expert_feature_expectations"):
        apprenticeship_learning(env, expert_feature_expectations=np.zeros(5))
    with pytest.raises(ValueError, match="no tabular model"):
        apprenticeship_learning(gym.make("CartPole-v1"), expert_feature_expectations=np.zeros(3))
