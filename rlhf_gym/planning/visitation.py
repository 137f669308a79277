"""What a plan does in the known dynamics: expected visitation, exact return, policy evaluation.

Why: MaxEnt IRL's gradient, apprenticeship learning's feature expectations and every "return
against the optimum" check are the same forward pass; it is exact, so tests need no sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rlhf_gym.planning.model import TabularModel, check_transitions, expected_rewards


@dataclass
class Visitation:
    """Expected counts under a policy: ``state_counts[s]`` = Σ_t P(live in s at t), ``reward_counts[s]``
    = expected (discounted) number of times r(s) is collected, ``per_step`` = live mass per step."""

    state_counts: np.ndarray
    reward_counts: np.ndarray
    per_step: np.ndarray | None = None


def visitation(model: TabularModel, plan: Any, discount: float = 1.0, keep_per_step: bool = False) -> Visitation:
    """Forward pass with the known dynamics: d_{t+1}(s') = Σ_{s,a} d_t(s) π_t(a|s) P(s'|s,a).

    ``plan`` is a :class:`SoftPlan`, a :class:`HardPlan`, or anything with ``action_major(t)``
    returning π_t as (A, S). Mass that enters a terminal state is counted on arrival and then
    leaves (the episode ended).
    """
    d = model.initial.copy()
    state_counts = np.zeros(model.n_states)
    reward_counts = np.zeros(model.n_states)
    per_step = np.zeros((model.horizon, model.n_states)) if keep_per_step else None
    weight = 1.0
    for t in range(model.horizon):
        d = d * model.live
        state_counts += d
        if per_step is not None:
            per_step[t] = d
        if model.reward_on == "state":
            reward_counts += weight * d
        flow = (plan.action_major(t) * d).reshape(-1)
        d = model.transitions_am_t @ flow
        if model.reward_on == "next_state":
            reward_counts += weight * d
        weight *= discount
    return Visitation(state_counts=state_counts, reward_counts=reward_counts, per_step=per_step)


def expected_return(model: TabularModel, plan: Any, state_rewards: np.ndarray, discount: float = 1.0) -> float:
    """Exact expected return of a plan (soft or hard) under ``state_rewards``, from the initial distribution."""
    return float(visitation(model, plan, discount).reward_counts @ np.asarray(state_rewards, dtype=np.float64))


def policy_evaluation(transition_sparse, rewards, policy, horizon: int, n_actions: int,
                      terminal=None) -> np.ndarray:
    """Exact expected return V_0 (S,) of a stationary (S,) or time-indexed (H, S) policy over ``horizon`` steps."""
    matrix, n_states = check_transitions(transition_sparse, n_actions)
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


__all__ = ["Visitation", "expected_return", "policy_evaluation", "visitation"]
