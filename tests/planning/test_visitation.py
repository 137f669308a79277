"""Expected visitation of a plan: exact against Monte-Carlo frequencies."""

import numpy as np

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.planning import demo_reward_counts, sample_states, soft_value_iteration, tabular_model, visitation



def test_expected_visitation_equals_monte_carlo_frequencies(small_env):
    env = small_env(slip=0.2)
    model = tabular_model(env)
    plan = soft_value_iteration(model, 10.0 * env.unwrapped.state_rewards)
    expected = visitation(model, plan)
    sampled = sample_states(model, plan, 20_000, np.random.default_rng(0))
    mc_reward = demo_reward_counts(model, sampled)
    mc_state = np.zeros(model.n_states)
    for seq in sampled:
        acting = seq[: model.horizon]  # states in which an action is taken (s_0 .. s_{T-1})
        np.add.at(mc_state, acting[~model.terminal[acting]], 1.0)
    mc_state /= len(sampled)
    np.testing.assert_allclose(mc_reward, expected.reward_counts, atol=0.1)
    np.testing.assert_allclose(mc_state, expected.state_counts, atol=0.1)
    # The check can fail: another policy's frequencies are far from these samples.
    other = visitation(model, soft_value_iteration(model, np.zeros(model.n_states)))
    assert np.abs(other.reward_counts - mc_reward).max() > 0.5
    # Every episode is `horizon` steps long unless it ends in a terminal state.
    assert expected.state_counts.sum() <= model.horizon + 1e-9
