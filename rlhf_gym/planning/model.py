"""The tabular model the planners read: a sparse transition matrix, rewards and features.

Why: value iteration, MaxEnt IRL, apprenticeship learning and the expert all plan on the same
model, so it is checked and laid out once. ``transition_sparse`` is a CSR matrix of shape (S*A, S)
whose row ``s * n_actions + a`` is P(. | s, a). Reward is collected on ENTERING a state,
r(s, a, s') = rewards[s'] (``reward_on="next_state"``; ``"state"`` pays r(s) for acting in s), and
never from a terminal state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

REWARD_ON = ("next_state", "state")


def check_transitions(transition_sparse, n_actions) -> tuple[sparse.csr_matrix, int]:
    """The matrix as CSR and the number of states, or an error naming what is wrong."""
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


def action_major(matrix: sparse.csr_matrix, n_states: int, n_actions: int) -> sparse.csr_matrix:
    """The rows reordered to ``a * S + s``.

    Why: per-action blocks make the max/sum over actions element-wise operations on contiguous
    rows, several times faster than reducing an (S, A) array; each row's dot product is unchanged.
    """
    order = (np.arange(n_states)[None, :] * n_actions + np.arange(n_actions)[:, None]).reshape(-1)
    return matrix[order].tocsr()


def check_terminal(terminal, n_states: int) -> np.ndarray | None:
    """``terminal`` as a bool (S,) array (or None), or an error naming its shape and dtype."""
    if terminal is None:
        return None
    terminal = np.asarray(terminal)
    if terminal.shape != (n_states,) or terminal.dtype != bool:
        raise ValueError(
            f"terminal has shape {terminal.shape} and dtype {terminal.dtype}; allowed: bool ({n_states},)"
        )
    return terminal


def expected_rewards(transition_sparse, rewards, n_actions: int, terminal=None) -> np.ndarray:
    """Expected immediate reward R(s, a) of shape (S, A) under the entering-a-state convention.

    ``rewards`` may be per state (S,) -- R(s, a) = sum_s' P(s'|s, a) rewards[s'] -- or already per
    (state, action) (S, A). Rows of ``terminal`` states (bool (S,)) are zero either way.
    """
    matrix, n_states = check_transitions(transition_sparse, n_actions)
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
    terminal = check_terminal(terminal, n_states)
    if terminal is not None:
        r_sa[terminal] = 0.0
    return r_sa


@dataclass
class TabularModel:
    """What the planners need, in one place (built from an env by :func:`tabular_model`)."""

    transitions: sparse.csr_matrix
    n_states: int
    n_actions: int
    horizon: int
    initial: np.ndarray
    features: np.ndarray
    terminal: np.ndarray
    reward_on: str = "next_state"
    true_rewards: np.ndarray | None = None

    def __post_init__(self):
        s, a = self.n_states, self.n_actions
        if self.transitions.shape != (s * a, s):
            raise ValueError(f"transitions: shape {self.transitions.shape}; expected (S*A, S) = ({s * a}, {s})")
        if self.reward_on not in REWARD_ON:
            raise ValueError(f"reward_on: {self.reward_on!r}; allowed: {REWARD_ON}")
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, (int, np.integer)) or self.horizon < 1:
            raise ValueError(f"horizon: {self.horizon!r}; allowed: an integer >= 1")
        self.transitions = sparse.csr_matrix(self.transitions)
        self.transitions_am = action_major(self.transitions, s, a)
        self.transitions_am_t = self.transitions_am.T.tocsr()  # for the forward (visitation) pass
        self.initial = np.asarray(self.initial, dtype=np.float64)
        self.features = np.asarray(self.features, dtype=np.float64)
        self.terminal = np.asarray(self.terminal, dtype=bool)
        self.live = ~self.terminal

    def action_rewards(self, state_rewards: np.ndarray) -> np.ndarray:
        """Expected one-step reward per (action, state), shape (A, S); zero from terminal states."""
        r = np.asarray(state_rewards, dtype=np.float64)
        if r.shape != (self.n_states,) or not np.all(np.isfinite(r)):
            raise ValueError(f"state_rewards: shape {r.shape}; allowed: finite values of shape ({self.n_states},)")
        if self.reward_on == "next_state":
            out = (self.transitions_am @ r).reshape(self.n_actions, self.n_states)
        else:
            out = np.repeat(r[None, :], self.n_actions, axis=0)
        out[:, self.terminal] = 0.0
        return out


def tabular_model(env: Any, horizon: int | None = None) -> TabularModel:
    """Read the tabular model of ``env.unwrapped``; a clear error when the env has none.

    Reads ``n_states``, ``n_actions``, ``transition_sparse`` (or the dense ``transition_matrix``
    (S, A, S)), ``initial_state_distribution``, ``state_features``, ``horizon`` and, where they
    exist, ``terminal_states``, ``state_rewards`` and ``reward_on``.
    """
    base = getattr(env, "unwrapped", env)
    needed = ("n_states", "n_actions", "initial_state_distribution", "state_features", "horizon")
    missing = [name for name in needed if not hasattr(base, name)]
    if missing or not (hasattr(base, "transition_sparse") or hasattr(base, "transition_matrix")):
        raise ValueError(
            f"env: {type(base).__name__} has no tabular model (missing {missing or ['transition_sparse']}); "
            "allowed: envs whose unwrapped has n_states, n_actions, transition_sparse (or transition_matrix), "
            "initial_state_distribution, state_features and horizon, like rlhf_gym/GridWorld-v0"
        )
    s, a = int(base.n_states), int(base.n_actions)
    if hasattr(base, "transition_sparse"):
        transitions = base.transition_sparse
    else:
        transitions = sparse.csr_matrix(np.asarray(base.transition_matrix).reshape(s * a, s))
    terminal = getattr(base, "terminal_states", np.zeros(s, dtype=bool))
    true_rewards = getattr(base, "state_rewards", None)
    if true_rewards is None and hasattr(base, "reward_weights"):
        true_rewards = np.asarray(base.state_features, dtype=np.float64) @ np.asarray(base.reward_weights)
    return TabularModel(
        transitions=transitions, n_states=s, n_actions=a, horizon=int(horizon or base.horizon),
        initial=base.initial_state_distribution, features=base.state_features, terminal=terminal,
        reward_on=getattr(base, "reward_on", "next_state"), true_rewards=true_rewards,
    )


__all__ = ["REWARD_ON", "TabularModel", "action_major", "check_transitions", "expected_rewards", "tabular_model"]
