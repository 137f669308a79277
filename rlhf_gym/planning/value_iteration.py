"""Value iteration, hard and soft, finite-horizon and discounted, on one backward recursion.

Why: the expert, MaxEnt IRL and apprenticeship learning all need Q_t = R + γ P V_{t+1}; writing it
once keeps their numbers the same and their speed shared. Everything runs on the action-major
matrix (row ``a * S + s``), so one backup is a single sparse mat-vec and the max over actions is
element-wise over contiguous rows; a 65,536-state grid costs a few mat-vecs per step. Ties go to
the lowest action index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlhf_gym.planning.model import TabularModel, action_major, check_transitions, expected_rewards


@dataclass
class HardPlan:
    """Optimal finite-horizon plan: ``actions[t, s]`` is the best action with T − t steps left.

    ``values[t]`` is V_t (``values[T] = 0``). A solve with ``keep_all=False`` keeps t = 0 only (one
    row each); ``q`` (T, S, A) is there when asked for with ``keep_q=True``.
    """

    values: np.ndarray | None
    actions: np.ndarray
    n_actions: int
    q: np.ndarray | None = None

    @property
    def policy(self) -> np.ndarray:
        """``actions`` under the name value iteration's texts use: the greedy policy per step."""
        return self.actions

    def action_major(self, t: int) -> np.ndarray:
        return (np.arange(self.n_actions)[:, None] == self.actions[t][None, :]).astype(np.float64)

    def policy_at(self, t: int) -> np.ndarray:
        """π_t as (S, A) one-hot rows."""
        return self.action_major(t).T


@dataclass
class SoftPlan:
    """Soft (MaxEnt) finite-horizon plan: ``policy[t, a, s]`` is π_t(a|s) (action-major, float32)."""

    values: np.ndarray
    policy: np.ndarray

    def action_major(self, t: int) -> np.ndarray:
        return self.policy[t]

    def policy_at(self, t: int) -> np.ndarray:
        """π_t as (S, A)."""
        return self.policy[t].T


@dataclass(frozen=True)
class DiscountedSolution:
    """Fixed point of the discounted Bellman optimality equation."""

    values: np.ndarray  # (S,)
    policy: np.ndarray  # (S,) int64
    q: np.ndarray  # (S, A)
    iterations: int


def _backup(p_am, r_as: np.ndarray, v_next: np.ndarray, discount: float) -> np.ndarray:
    """Q (A, S) = R + γ P V_next."""
    return r_as + discount * (p_am @ v_next).reshape(r_as.shape)


def _hard_backward(p_am, r_as, horizon: int, discount: float, zero_terminal, keep_all: bool, keep_q: bool,
                   action_dtype=np.int64) -> HardPlan:
    """The backward Bellman optimality recursion shared by every finite-horizon hard solve.

    ``zero_terminal`` (bool (S,) or None) pins V_t of those states to 0: an episode that entered
    them has ended, whatever rows the matrix holds for them.
    """
    n_actions, n_states = r_as.shape
    values = np.zeros((horizon + 1 if keep_all else 1, n_states))
    actions = np.empty((horizon if keep_all else 1, n_states), dtype=action_dtype)
    q_all = np.empty((horizon, n_states, n_actions)) if keep_q else None
    v_next = np.zeros(n_states)
    for t in range(horizon - 1, -1, -1):
        q = _backup(p_am, r_as, v_next, discount)
        v_next = q.max(axis=0)
        if zero_terminal is not None:
            v_next[zero_terminal] = 0.0
        if keep_all or t == 0:
            row = t if keep_all else 0
            actions[row] = q.argmax(axis=0)
            values[row] = v_next
        if keep_q:
            q_all[t] = q.T
    return HardPlan(values=values, actions=actions, n_actions=n_actions, q=q_all)


def _check_horizon(horizon) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon={horizon!r} is not allowed; allowed: an int >= 1")


def finite_horizon_value_iteration(transition_sparse, rewards, horizon: int, n_actions: int,
                                   terminal=None, keep_q: bool = False, keep_all: bool = True) -> HardPlan:
    """Optimal values and a time-indexed greedy policy for ``horizon`` steps of a raw sparse model.

    Q_t = R + P V_{t+1}, V_t = max_a Q_t, V_H = 0 (``rewards`` per state or per (state, action),
    see :func:`expected_rewards`). ``keep_all=False`` keeps only V_0 and pi_0 (memory: a 256x256
    grid over 1,000 steps would otherwise hold about 1 GB of plans).
    """
    _check_horizon(horizon)
    matrix, n_states = check_transitions(transition_sparse, n_actions)
    r_as = np.ascontiguousarray(expected_rewards(matrix, rewards, n_actions, terminal).T)
    if keep_q and not keep_all:
        raise ValueError("keep_q=True needs keep_all=True; allowed: keep_q=False when keep_all=False")
    return _hard_backward(action_major(matrix, n_states, n_actions), r_as, int(horizon), 1.0, None,
                          keep_all, keep_q)


def hard_value_iteration(model: TabularModel, state_rewards: np.ndarray, discount: float = 1.0) -> HardPlan:
    """Optimal plan of ``model`` for ``state_rewards`` over its horizon; terminal states are worth 0."""
    dtype = np.int8 if model.n_actions < 128 else np.int32
    return _hard_backward(model.transitions_am, model.action_rewards(state_rewards), model.horizon, discount,
                          model.terminal, keep_all=True, keep_q=False, action_dtype=dtype)


def soft_value_iteration(model: TabularModel, state_rewards: np.ndarray, discount: float = 1.0) -> SoftPlan:
    """Backward soft Bellman recursion: V_t(s) = log Σ_a exp Q_t(s,a), Q_t = r + γ P V_{t+1}.

    The policy π_t = exp(Q_t − V_t) is the maximum-entropy distribution over trajectories
    whose probability grows as exp(return) (Ziebart et al. 2008).
    """
    r_as = model.action_rewards(state_rewards)
    s, a, horizon = model.n_states, model.n_actions, model.horizon
    values = np.zeros((horizon + 1, s))
    policy = np.empty((horizon, a, s), dtype=np.float32)
    for t in range(horizon - 1, -1, -1):
        q = _backup(model.transitions_am, r_as, values[t + 1], discount)
        top = q.max(axis=0)
        z = np.exp(q - top)
        total = z.sum(axis=0)
        values[t] = top + np.log(total)
        values[t, model.terminal] = 0.0
        np.multiply(z, 1.0 / total, out=policy[t], casting="same_kind")
    return SoftPlan(values=values, policy=policy)


def discounted_value_iteration(transition_sparse, rewards, n_actions: int, gamma: float, terminal=None,
                               tol: float = 1e-8, max_iter: int = 100_000) -> DiscountedSolution:
    """Infinite-horizon discounted value iteration, stopped when the sup-norm change is below ``tol``."""
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating)) or not 0.0 <= gamma < 1.0:
        raise ValueError(f"gamma={gamma!r} is not allowed; allowed: a number in [0, 1)")
    if not (isinstance(tol, (int, float, np.floating)) and tol > 0):
        raise ValueError(f"tol={tol!r} is not allowed; allowed: a number > 0")
    matrix, n_states = check_transitions(transition_sparse, n_actions)
    r_as = np.ascontiguousarray(expected_rewards(matrix, rewards, n_actions, terminal).T)
    p_am = action_major(matrix, n_states, n_actions)
    values = np.zeros(n_states)
    for iteration in range(1, max_iter + 1):
        q = _backup(p_am, r_as, values, gamma)
        new_values = q.max(axis=0)
        delta = float(np.max(np.abs(new_values - values))) if n_states else 0.0
        values = new_values
        if delta < tol:
            break
    else:
        raise RuntimeError(f"discounted_value_iteration did not converge within max_iter={max_iter} sweeps")
    return DiscountedSolution(values=values, policy=q.argmax(axis=0), q=np.ascontiguousarray(q.T),
                              iterations=iteration)


def solve_env(env, horizon: int | None = None, keep_q: bool = False, keep_all: bool = True) -> HardPlan:
    """Finite-horizon value iteration on a tabular env's own model (``env`` may be wrapped)."""
    base = env.unwrapped
    return finite_horizon_value_iteration(
        base.transition_sparse, base.state_rewards, base.horizon if horizon is None else horizon,
        base.n_actions, terminal=base.terminal_states, keep_q=keep_q, keep_all=keep_all,
    )


__all__ = [
    "DiscountedSolution", "HardPlan", "SoftPlan", "discounted_value_iteration", "finite_horizon_value_iteration",
    "hard_value_iteration", "soft_value_iteration", "solve_env",
]
