"""The action-table policy: the optimal one of named layouts, batched predict, plan memory cap."""

import numpy as np
import pytest

from rlhf_gym.envs.gridworld import GridWorldEnv
from rlhf_gym.planning import TabularPolicy, optimal_policy, policy_evaluation, solve_env
from rlhf_gym.planning import policy as policy_module


def test_keeping_only_the_first_step_gives_the_same_answer(monkeypatch):
    env = GridWorldEnv(layout="objectworld", size=10, slip=0.1)
    full = solve_env(env)
    first = solve_env(env, keep_all=False)
    assert first.values.shape == first.policy.shape == (1, env.n_states)
    np.testing.assert_array_equal(first.values[0], full.values[0])
    np.testing.assert_array_equal(first.policy[0], full.policy[0])
    monkeypatch.setattr(policy_module, "MAX_PLAN_ENTRIES", 100)
    small = optimal_policy(env)
    assert small.solution.policy.shape == (1, env.n_states)
    np.testing.assert_array_equal(small.policy, full.policy[0])


def test_known_optima_on_named_layouts():
    room = optimal_policy(GridWorldEnv(layout="open_room"))
    start = GridWorldEnv(layout="open_room").start_states[0]
    assert room.values[start] == pytest.approx(1.0 - 0.01 * 7)  # 8 moves: 7 floor cells, then the goal
    cliff = GridWorldEnv(layout="cliff_walk")
    v = optimal_policy(cliff)
    assert v.values[cliff.start_states[0]] == pytest.approx(1.0 - 0.01 * 12)  # up, 11 right, down
    edge = cliff.cell_to_state[2, 1:10]  # the row just above the cliff
    assert np.all(v.policy[edge] == 1)  # deterministic: hug the cliff
    slippery = GridWorldEnv(layout="cliff_walk", slip=0.1)
    assert np.all(optimal_policy(slippery).policy[edge] == 0)  # slippery: step away from the edge


def test_stationary_expert_is_near_optimal_with_slip():
    env = GridWorldEnv(layout="lava_maze", slip=0.2)
    expert = optimal_policy(env)
    stationary = policy_evaluation(env.transition_sparse, env.state_rewards, expert.policy, env.horizon,
                                   env.n_actions, env.terminal_states)
    starts = env.start_states
    assert np.all(stationary[starts] >= expert.values[starts] - 0.02)


def test_tabular_policy_checks_its_table():
    env = GridWorldEnv(layout="open_room")
    with pytest.raises(ValueError, match=r"actions: shape \(3,\)"):
        TabularPolicy(env, np.zeros(3, dtype=np.int64))
