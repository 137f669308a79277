"""Value iteration: exact against known optima, a dense reference, and Monte-Carlo returns."""

import itertools

import gymnasium as gym
import numpy as np
import pytest
from scipy import sparse

import rlhf_gym  # noqa: F401  (registers the envs)
from rlhf_gym.envs.gridworld import GridWorldEnv
from rlhf_gym.planning import (
    discounted_value_iteration,
    finite_horizon_value_iteration,
    hard_value_iteration,
    policy_evaluation,
    soft_value_iteration,
    solve_env,
    tabular_model,
)


def random_mdp(rng, n_states=30, n_actions=3, branching=4):
    rows, cols, data = [], [], []
    for row in range(n_states * n_actions):
        nxt = rng.choice(n_states, size=branching, replace=False)
        p = rng.dirichlet(np.ones(branching))
        rows += [row] * branching
        cols += nxt.tolist()
        data += p.tolist()
    P = sparse.csr_matrix((data, (rows, cols)), shape=(n_states * n_actions, n_states))
    return P, rng.normal(size=n_states), rng.random(n_states) < 0.2


def test_matches_a_dense_reference_on_a_random_mdp():
    rng = np.random.default_rng(0)
    P, r, term = random_mdp(rng)
    S, A, H = 30, 3, 12
    dense = P.toarray().reshape(S, A, S)
    R = dense @ r
    R[term] = 0.0
    V = np.zeros(S)
    for t in range(H - 1, -1, -1):
        Q = R + np.einsum("sat,t->sa", dense, V)
        V = Q.max(axis=1)
    sol = finite_horizon_value_iteration(P, r, H, A, terminal=term, keep_q=True)
    np.testing.assert_allclose(sol.values[0], V, atol=1e-12)
    np.testing.assert_array_equal(sol.policy[0], Q.argmax(axis=1))
    np.testing.assert_allclose(sol.q[0], Q, atol=1e-12)
    assert np.all(sol.values[H] == 0)
    # the greedy policy's exact return is the optimal value, and beats random policies
    np.testing.assert_allclose(policy_evaluation(P, r, sol.policy, H, A, term), sol.values[0], atol=1e-12)
    for _ in range(20):
        other = rng.integers(0, A, size=(H, S))
        assert np.all(policy_evaluation(P, r, other, H, A, term) <= sol.values[0] + 1e-12)


def test_discounted_solution_is_the_fixed_point_of_its_policy():
    rng = np.random.default_rng(1)
    P, r, term = random_mdp(rng)
    S, A, gamma = 30, 3, 0.9
    sol = discounted_value_iteration(P, r, A, gamma, terminal=term, tol=1e-11)
    dense = P.toarray().reshape(S, A, S)
    R = dense @ r
    R[term] = 0.0
    P_pi = dense[np.arange(S), sol.policy]
    exact = np.linalg.solve(np.eye(S) - gamma * P_pi, R[np.arange(S), sol.policy])
    np.testing.assert_allclose(sol.values, exact, atol=1e-8)
    for _ in range(20):
        pi = rng.integers(0, A, size=S)
        v = np.linalg.solve(np.eye(S) - gamma * dense[np.arange(S), pi], R[np.arange(S), pi])
        assert np.all(v <= sol.values + 1e-8)


@pytest.mark.parametrize("kwargs,episodes", [
    (dict(layout="lava_maze", slip=0.2), 3000),
    (dict(layout="objectworld", size=8, slip=0.2, allow_stay=True, layout_seed=3), 1500),
])
def test_v0_equals_monte_carlo_return_of_the_time_indexed_policy(kwargs, episodes):
    env = GridWorldEnv(**kwargs)
    sol = solve_env(env)
    expected = float(env.initial_state_distribution @ sol.values[0])
    returns = np.empty(episodes)
    env.reset(seed=11)
    for i in range(episodes):
        s, _ = env.reset()
        total, t, done = 0.0, 0, False
        while not done:
            s, r, term, trunc, info = env.step(int(sol.policy[t, s]))
            total += info["true_reward"]
            t += 1
            done = term or trunc
        returns[i] = total
    se = returns.std() / np.sqrt(episodes)
    assert abs(returns.mean() - expected) < 4 * se + 1e-9, (returns.mean(), expected, se)


def test_soft_value_equals_log_sum_over_trajectories():
    """On a deterministic corridor, V_0(start) = log Σ over distinct trajectories of exp(return)."""
    env = gym.make("rlhf_gym/GridWorld-v0", layout=["S..G"], slip=0.0, horizon=4, step_cost=0.3)
    model = tabular_model(env)
    base = env.unwrapped
    r = base.state_rewards
    trajectories = {}
    for seq in itertools.product(range(model.n_actions), repeat=model.horizon):
        s, total, taken = int(base.start_states[0]), 0.0, []
        for a in seq:
            if model.terminal[s]:
                break
            s = int(base.next_state_table[s, a])
            total += r[s]
            taken.append(a)
        trajectories[tuple(taken)] = total  # a trajectory that ended early counts once
    expected = np.log(np.sum(np.exp(list(trajectories.values()))))
    plan = soft_value_iteration(model, r)
    assert plan.values[0, base.start_states[0]] == pytest.approx(expected, rel=1e-12)
    hard = hard_value_iteration(model, r)
    assert hard.values[0, base.start_states[0]] == pytest.approx(max(trajectories.values()))


def test_bad_inputs():
    env = GridWorldEnv()
    P, r, A = env.transition_sparse, env.state_rewards, env.n_actions
    with pytest.raises(ValueError, match="horizon=0"):
        finite_horizon_value_iteration(P, r, 0, A)
    with pytest.raises(ValueError, match=r"rewards has shape \(3,\)"):
        finite_horizon_value_iteration(P, r[:3], 5, A)
    with pytest.raises(ValueError, match="n_actions=5"):
        finite_horizon_value_iteration(P, r, 5, 5)
    with pytest.raises(TypeError, match="transition_sparse"):
        finite_horizon_value_iteration(env.transition_matrix, r, 5, A)
    with pytest.raises(ValueError, match="gamma=1.0"):
        discounted_value_iteration(P, r, A, 1.0)
    with pytest.raises(ValueError, match="terminal"):
        finite_horizon_value_iteration(P, r, 5, A, terminal=np.zeros(3, dtype=bool))
