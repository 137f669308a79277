"""Apprenticeship learning via inverse RL: the projection algorithm of Abbeel & Ng (2004).

If the true reward is linear in the features, r = w·φ with ||w||₂ ≤ 1, then any policy whose
discounted feature expectations μ(π) are within ε of the expert's μ_E earns within ε of the
expert's return: |w·μ(π) − w·μ_E| ≤ ||w||₂ ||μ(π) − μ_E||₂. The algorithm finds such a policy
as a *mixture* of optimal policies for a sequence of reward guesses; each guess points from the
current closest point of the policies' convex hull towards μ_E.

Feature expectations are exact here (a forward pass through the known dynamics), so the only
sampling error is in μ_E when it comes from demonstrations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rlhf_gym.planning import (
    HardPlan,
    TabularModel,
    demo_reward_counts,
    hard_value_iteration,
    tabular_model,
    trajectory_states,
    visitation,
)


class UniformPlan:
    """The uniformly random policy: π₀ of the algorithm (any policy would do)."""

    def __init__(self, n_states: int, n_actions: int):
        self._pi = np.full((n_actions, n_states), 1.0 / n_actions)

    def action_major(self, t: int) -> np.ndarray:
        return self._pi


def feature_expectations(model: TabularModel, plan: Any, discount: float) -> np.ndarray:
    """μ(π) = E[Σ_t γ^t φ(s_t)] exactly, with the env's reward convention and horizon."""
    return visitation(model, plan, discount).reward_counts @ model.features


@dataclass
class ApprenticeshipResult:
    """The mixture (``plans`` with ``weights``), its feature expectations and the guarantee.

    ``distance`` = ||μ_mix − μ_E||₂; for every reward w·φ the mixture's discounted return is
    within ``guaranteed_gap(w)`` = ||w||₂ · distance of the expert's.
    """

    plans: list
    weights: np.ndarray
    feature_expectations: np.ndarray
    mu_mixture: np.ndarray
    mu_expert: np.ndarray
    reward_weights: np.ndarray
    distance: float
    converged: bool
    distances: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0

    def guaranteed_gap(self, reward_weights: np.ndarray) -> float:
        """Upper bound on |return(mixture) − return(expert)| for the reward ``features @ reward_weights``."""
        return float(np.linalg.norm(np.asarray(reward_weights, dtype=np.float64)) * self.distance)

    def best_policy(self) -> np.ndarray:
        """First-step actions (S,) of the component with the largest weight (for ``predict`` and arrows)."""
        candidates = [i for i, p in enumerate(self.plans) if isinstance(p, HardPlan)]
        best = max(candidates, key=lambda i: self.weights[i])
        return self.plans[best].actions[0].astype(np.int64)


def apprenticeship_learning(
    env: Any,
    demonstrations: list | None = None,
    *,
    expert_feature_expectations: np.ndarray | None = None,
    discount: float = 0.99,
    epsilon: float = 0.05,
    max_iters: int = 50,
    model: TabularModel | None = None,
    progress_bar: bool = False,
) -> ApprenticeshipResult:
    """Run the projection algorithm until ||μ̄ − μ_E||₂ ≤ ``epsilon`` or ``max_iters`` rounds.

    μ_E comes from ``demonstrations`` (trajectories or state-index sequences, empirical
    discounted feature counts) or is given directly as ``expert_feature_expectations``.
    """
    if not 0.0 < discount <= 1.0:
        raise ValueError(f"discount: {discount!r}; allowed: a number in (0, 1]")
    if not epsilon > 0:
        raise ValueError(f"epsilon: {epsilon!r}; allowed: a number > 0")
    if isinstance(max_iters, bool) or not isinstance(max_iters, (int, np.integer)) or max_iters < 1:
        raise ValueError(f"max_iters: {max_iters!r}; allowed: an integer >= 1")
    model = tabular_model(env) if model is None else model
    if (demonstrations is None) == (expert_feature_expectations is None):
        raise ValueError("demonstrations / expert_feature_expectations: give exactly one of them")
    if expert_feature_expectations is not None:
        mu_e = np.asarray(expert_feature_expectations, dtype=np.float64)
        if mu_e.shape != (model.features.shape[1],):
            raise ValueError(
                f"expert_feature_expectations: shape {mu_e.shape}; allowed: ({model.features.shape[1]},), one per feature"
            )
    else:
        if len(demonstrations) == 0:
            raise ValueError("demonstrations: an empty set; allowed: at least one episode")
        seqs = trajectory_states(env, demonstrations) if hasattr(demonstrations[0], "obs") else demonstrations
        mu_e = demo_reward_counts(model, seqs, discount) @ model.features
    start = time.perf_counter()
    plans: list = [UniformPlan(model.n_states, model.n_actions)]
    mus = [feature_expectations(model, plans[0], discount)]
    weights = np.array([1.0])
    mu_bar = mus[0].copy()
    w = mu_e - mu_bar
    distances = [float(np.linalg.norm(w))]
    iters = range(max_iters)
    if progress_bar:
        from tqdm.auto import tqdm

        iters = tqdm(iters, desc="apprenticeship", unit="it")
    for _ in iters:
        if distances[-1] <= epsilon:
            break
        plan = hard_value_iteration(model, model.features @ w, discount)
        mu = feature_expectations(model, plan, discount)
        step = mu - mu_bar
        denom = float(step @ step)
        # Orthogonal projection of μ_E onto the segment [μ̄, μ]: the new closest hull point.
        alpha = 0.0 if denom == 0.0 else float(np.clip(step @ (mu_e - mu_bar) / denom, 0.0, 1.0))
        plans.append(plan)
        mus.append(mu)
        weights = np.append(weights * (1.0 - alpha), alpha)
        mu_bar = mu_bar + alpha * step
        w = mu_e - mu_bar
        distances.append(float(np.linalg.norm(w)))
        if alpha == 0.0:  # the best response adds nothing: μ_E is as close as this hull gets
            break
    mus_arr = np.asarray(mus)
    mu_mix = weights @ mus_arr
    return ApprenticeshipResult(
        plans=plans, weights=weights, feature_expectations=mus_arr, mu_mixture=mu_mix, mu_expert=mu_e,
        reward_weights=w, distance=float(np.linalg.norm(mu_mix - mu_e)), converged=distances[-1] <= epsilon,
        distances=distances, wall_seconds=time.perf_counter() - start,
    )


def mixture_return(model: TabularModel, result: ApprenticeshipResult, state_rewards: np.ndarray,
                   discount: float = 1.0) -> float:
    """Exact expected return of the mixture (pick a component with its weight, follow it all episode)."""
    r = np.asarray(state_rewards, dtype=np.float64)
    return float(sum(
        wt * (visitation(model, plan, discount).reward_counts @ r)
        for wt, plan in zip(result.weights, result.plans) if wt > 0
    ))


__all__ = ["ApprenticeshipResult", "UniformPlan", "apprenticeship_learning", "feature_expectations", "mixture_return"]
