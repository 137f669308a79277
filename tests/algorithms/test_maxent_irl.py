"""Maximum-entropy IRL: the gradient and the recovered reward checked against truth."""

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.data.trajectories import collect_demonstrations
from rlhf_gym.algorithms.maxent_irl import maxent_gradient, maxent_irl
from rlhf_gym.planning import (
    TabularPolicy,
    demo_reward_counts,
    expected_return,
    hard_value_iteration,
    sample_states,
    soft_value_iteration,
    tabular_model,
    visitation,
)



def test_gradient_is_zero_for_demos_of_the_soft_optimal_policy(small_env):
    env = small_env(slip=0.2)
    model = tabular_model(env)
    true_r = 10.0 * env.unwrapped.state_rewards
    demos = sample_states(model, soft_value_iteration(model, true_r), 20_000, np.random.default_rng(1))
    counts = demo_reward_counts(model, demos)
    grad_true, _ = maxent_gradient(model, true_r, counts)
    grad_zero, _ = maxent_gradient(model, np.zeros(model.n_states), counts)
    g_true = model.features.T @ grad_true
    g_zero = model.features.T @ grad_zero
    assert np.linalg.norm(g_true) < 0.05
    assert np.linalg.norm(g_zero) > 20 * np.linalg.norm(g_true)
    # With the exact expected counts the gradient vanishes to rounding error.
    exact = visitation(model, soft_value_iteration(model, true_r)).reward_counts
    assert np.abs(maxent_gradient(model, true_r, exact)[0]).max() < 1e-9


@pytest.mark.parametrize("reward", ["linear", "mlp"])
def test_recovered_reward_policy_matches_expert_return(reward, small_env):
    env = small_env(slip=0.2)
    model = tabular_model(env)
    true_r = env.unwrapped.state_rewards
    expert_plan = hard_value_iteration(model, true_r)
    expert = TabularPolicy(env, expert_plan.actions[0])
    demos = collect_demonstrations(env, expert, 50, np.random.default_rng(2))
    kwargs = {"n_iters": 300, "learning_rate": 0.1} if reward == "linear" else {"n_iters": 80, "learning_rate": 0.01}
    result = maxent_irl(env, demos, reward=reward, **kwargs)
    expert_return = expected_return(model, expert_plan, true_r)
    learner_return = expected_return(model, result.plan, true_r)
    uniform_return = expected_return(model, soft_value_iteration(model, np.zeros(model.n_states)), true_r)
    assert expert_return > 0.5 and uniform_return < 0
    assert learner_return >= 0.95 * expert_return, (learner_return, expert_return)
    assert np.corrcoef(result.state_rewards, true_r)[0, 1] > 0.9
    assert result.policy.shape == (model.n_states,)
    if reward == "linear":
        goal, lava, floor = result.weights  # feature order of this layout: goal, lava, floor
        assert goal > floor > lava


def test_maxent_bad_input(small_env):
    with pytest.raises(ValueError, match="no tabular model"):
        maxent_irl(gym.make("CartPole-v1"), [np.array([0, 1])])
    env = small_env()
    with pytest.raises(ValueError, match="empty"):
        maxent_irl(env, [])
    with pytest.raises(ValueError, match="reward"):
        maxent_irl(env, [np.array([0, 1])], reward="cubic")
    with pytest.raises(ValueError, match="state index"):
        maxent_irl(env, [np.array([0, 999])])
    with pytest.raises(ValueError, match="state_rewards"):
        soft_value_iteration(tabular_model(env), np.zeros(3))


def test_imitate_cli_maxent_writes_results_and_heatmap(tmp_path):
    import json

    from rlhf_gym.cli import main

    out = tmp_path / "run"
    argv = ["imitate", "--method", "maxent", "--env", "rlhf_gym/LavaMaze-v0", "--env-kwargs", '{"slip": 0.1}',
            "--demos", "10", "--iters", "300", "--eval-episodes", "5", "--out", str(out)]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    lengths = [json.loads(line)["length"] for line in open(out / "demos" / "episodes.jsonl")]
    assert len(lengths) == 10 and results["labels_used"] == sum(lengths)
    assert results["reward_correlation"] > 0.9
    assert results["exact_learner_return"] > 0.5  # expert: 0.61 exactly; walking into lava: about -1
    assert (out / "reward_heatmap.png").exists() and (out / "reward.npz").exists()
    assert main(["imitate", "--method", "maxent", "--env", "CartPole-v1", "--out", str(tmp_path / "bad")]) == 2
