"""Exact value iteration over a sparse tabular model, and the expert built on it.

The model is the env's: ``transition_sparse`` is a CSR matrix of shape (S*A, S) whose row
``s * n_actions + a`` is P(. | s, a); ``rewards`` is per state, received on ENTERING it
(r(s, a, s') = rewards[s']), and ``terminal`` states are absorbing and earn nothing more. One
Bellman backup is then a single sparse mat-vec, which is what makes 65,536-state grids cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class FiniteHorizonSolution:
    """``values[t]`` is V_t (steps t..H-1 still to go; ``values[H] = 0``), ``policy[t]`` is greedy at t.

    With ``keep_all=False`` only t = 0 is kept: ``values`` and ``policy`` then have one row.
    """

    values: np.ndarray  # (H + 1, S) float64, or (1, S)
    policy: np.ndarray  # (H, S) int64, or (1, S)
    q: np.ndarray | None  # (H, S, A) float64 when asked for with keep_q=True


@dataclass(frozen=True)
class DiscountedSolution:
    """Fixed point of the discounted Bellman optimality equation."""

    values: np.ndarray  # (S,)
    policy: np.ndarray  # (S,) int64
    q: np.ndarray  # (S, A)
    iterations: int


def _check_model(transition_sparse, n_actions):
    if not sparse.issparse(transition_sparse):
        raise TypeError(
            f"transition_sparse is {type(transition_sparse).__name__}; allowed: a scipy sparse matrix of "
            "shape (S * n_actions, S)"
        )
    if isinstance(n_actions, bool) or not isinstance(n_actions, (int, np.integer)) or n_actions < 1:
        raise ValueError(f"n_actions={n_actions!r} is not allowed; allowed: an int >= 1")
    rows, n_states = transition_sparse.shape
    if rows != n_states * n_actions:
        raise ValueError(
            f"transition_sparse has shape {transition_sparse.shape}; allowed: (S * n_actions, S) = "
            f"({n_states * n_actions}, {n_states}) for n_actions={n_actions}"
        )
    return sparse.csr_matrix(transition_sparse), int(n_states)


def expected_rewards(transition_sparse, rewards, n_actions: int, terminal=None) -> np.ndarray:
    """Expected immediate reward R(s, a) of shape (S, A) under the entering-a-state convention.

    ``rewards`` may be per state (S,) -- R(s, a) = sum_s' P(s'|s, a) rewards[s'] -- or already per
    (state, action) (S, A). Rows of ``terminal`` states (bool (S,)) are zero either way.
    """
    matrix, n_states = _check_model(transition_sparse, n_actions)
    rewards = np.asarray(rewards, dtype=np.float64)
    if rewards.shape == (n_states,):
        r_sa = (matrix @ rewards).reshape(n_states, n_actions)
    elif rewards.shape == (n_states, n_actions):
        r_sa = rewards.copy()
    else:
        raise ValueError(
            f"rewards has shape {rewards.shape}; allowed: ({n_states},) per state or "
            f"({n_states}, {n_actions}) per state and action"
        )
    if not np.all(np.isfinite(r_sa)):
        raise ValueError("rewards contains NaN or inf; allowed: finite numbers")
    if terminal is not None:
        terminal = np.asarray(terminal)
        if terminal.shape != (n_states,) or terminal.dtype != bool:
            raise ValueError(
                f"terminal has shape {terminal.shape} and dtype {terminal.dtype}; allowed: bool ({n_states},)"
            )
        r_sa[terminal] = 0.0
    return r_sa


def finite_horizon_value_iteration(transition_sparse, rewards, horizon: int, n_actions: int,
                                   terminal=None, keep_q: bool = False,
                                   keep_all: bool = True) -> FiniteHorizonSolution:
    """Optimal values and a time-indexed greedy policy for ``horizon`` steps.

    Q_t = R + P V_{t+1}, V_t = max_a Q_t, V_H = 0. Ties go to the lowest action index.
    ``keep_all=False`` keeps only V_0 and pi_0 (memory: a 256x256 grid over 1,000 steps would
    otherwise hold about 1 GB of plans).
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon={horizon!r} is not allowed; allowed: an int >= 1")
    matrix, n_states = _check_model(transition_sparse, n_actions)
    r_flat = expected_rewards(matrix, rewards, n_actions, terminal).reshape(-1)
    if keep_q and not keep_all:
        raise ValueError("keep_q=True needs keep_all=True; allowed: keep_q=False when keep_all=False")
    rows = horizon if keep_all else 1
    values = np.zeros((rows + 1 if keep_all else 1, n_states))
    policy = np.empty((rows, n_states), dtype=np.int64)
    q_all = np.empty((horizon, n_states, n_actions)) if keep_q else None
    index = np.arange(n_states)
    v_next = np.zeros(n_states)
    for t in range(horizon - 1, -1, -1):
        q = (r_flat + matrix @ v_next).reshape(n_states, n_actions)
        best = q.argmax(axis=1)
        v_next = q[index, best]
        row = t if keep_all else 0
        if keep_all or t == 0:
            policy[row] = best
            values[row] = v_next
        if keep_q:
            q_all[t] = q
    return FiniteHorizonSolution(values=values, policy=policy, q=q_all)


def discounted_value_iteration(transition_sparse, rewards, n_actions: int, gamma: float, terminal=None,
                               tol: float = 1e-8, max_iter: int = 100_000) -> DiscountedSolution:
    """Infinite-horizon discounted value iteration, stopped when the sup-norm change is below ``tol``."""
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating)) or not 0.0 <= gamma < 1.0:
        raise ValueError(f"gamma={gamma!r} is not allowed; allowed: a number in [0, 1)")
    if not (isinstance(tol, (int, float, np.floating)) and tol > 0):
        raise ValueError(f"tol={tol!r} is not allowed; allowed: a number > 0")
    matrix, n_states = _check_model(transition_sparse, n_actions)
    r_flat = expected_rewards(matrix, rewards, n_actions, terminal).reshape(-1)
    values = np.zeros(n_states)
    for iteration in range(1, max_iter + 1):
        q = (r_flat + gamma * (matrix @ values)).reshape(n_states, n_actions)
        new_values = q.max(axis=1)
        delta = float(np.max(np.abs(new_values - values))) if n_states else 0.0
        values = new_values
        if delta < tol:
            break
    else:
        raise RuntimeError(f"discounted_value_iteration did not converge within max_iter={max_iter} sweeps")
    return DiscountedSolution(values=values, policy=q.argmax(axis=1), q=q, iterations=iteration)


def policy_evaluation(transition_sparse, rewards, policy, horizon: int, n_actions: int,
                      terminal=None) -> np.ndarray:
    """Exact expected return V_0 (S,) of a stationary (S,) or time-indexed (H, S) policy over ``horizon`` steps."""
    matrix, n_states = _check_model(transition_sparse, n_actions)
    r_sa = expected_rewards(matrix, rewards, n_actions, terminal)
    policy = np.asarray(policy)
    if policy.shape not in ((n_states,), (horizon, n_states)) or not np.issubdtype(policy.dtype, np.integer):
        raise ValueError(
            f"policy has shape {policy.shape} and dtype {policy.dtype}; allowed: int ({n_states},) or "
            f"({horizon}, {n_states})"
        )
    if policy.size and (policy.min() < 0 or policy.max() >= n_actions):
        raise ValueError(f"policy has actions outside [0, {n_actions}); allowed: ints in that range")
    rows = np.arange(n_states) * n_actions
    values = np.zeros(n_states)
    for t in range(horizon - 1, -1, -1):
        act = policy if policy.ndim == 1 else policy[t]
        values = r_sa[np.arange(n_states), act] + matrix[rows + act] @ values
    return values


def solve_env(env, horizon: int | None = None, keep_q: bool = False,
              keep_all: bool = True) -> FiniteHorizonSolution:
    """Finite-horizon value iteration on a tabular env's own model (``env`` may be wrapped)."""
    base = env.unwrapped
    return finite_horizon_value_iteration(
        base.transition_sparse, base.state_rewards, base.horizon if horizon is None else horizon,
        base.n_actions, terminal=base.terminal_states, keep_q=keep_q, keep_all=keep_all,
    )


class TabularExpert:
    """The optimal policy of a tabular env, with Stable-Baselines3's ``predict`` call.

    Observations carry no clock, so the expert acts with the policy for the longest remaining
    horizon (``policy[0]``) at every step. In goal and lava layouts that policy is optimal from
    every state for any remaining time long enough to reach the goal; in ObjectWorld it differs
    from the time-indexed optimum only in the last steps. The full time-indexed solution is in
    ``solution`` for code that tracks time itself, unless it would exceed ``MAX_PLAN_ENTRIES``
    numbers (then ``solution`` holds t = 0 only).
    """

    MAX_PLAN_ENTRIES = 20_000_000  # about 160 MB of float64 values

    def __init__(self, env, horizon: int | None = None):
        self.env = env.unwrapped
        steps = self.env.horizon if horizon is None else horizon
        keep_all = (steps + 1) * self.env.n_states <= self.MAX_PLAN_ENTRIES
        self.solution = solve_env(self.env, horizon, keep_all=keep_all)
        self.values = self.solution.values[0]  # (S,) optimal expected return from each start state
        self.policy = self.solution.policy[0]  # (S,) the stationary policy predict() uses

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = True):
        """Actions for a batch of observations (or one observation -> a 0-d array), and ``None``.

        ``deterministic`` is accepted for SB3 compatibility; the expert is always deterministic.
        """
        states = self.env.state_from_obs(observation)
        return np.asarray(self.policy[states]), None

    def __call__(self, observation):
        return self.predict(observation)[0]


__all__ = [
    "DiscountedSolution", "FiniteHorizonSolution", "TabularExpert", "discounted_value_iteration",
    "expected_rewards", "finite_horizon_value_iteration", "policy_evaluation", "solve_env",
]
