"""The one tabular planner: the model read from an env, value iteration (finite-horizon and
discounted, hard and soft), visitation and policy evaluation, and the action-table policy.

Why: the expert, MaxEnt IRL and apprenticeship learning plan on the same known dynamics; one
planner keeps their numbers identical. Needs numpy and scipy only (no torch, no SB3).
"""

from rlhf_gym.planning.empirical import demo_reward_counts, sample_states, trajectory_states
from rlhf_gym.planning.model import TabularModel, action_major, check_transitions, expected_rewards, tabular_model
from rlhf_gym.planning.policy import TabularPolicy, optimal_policy
from rlhf_gym.planning.value_iteration import (
    DiscountedSolution,
    HardPlan,
    SoftPlan,
    discounted_value_iteration,
    finite_horizon_value_iteration,
    hard_value_iteration,
    soft_value_iteration,
    solve_env,
)
from rlhf_gym.planning.visitation import Visitation, expected_return, policy_evaluation, visitation

__all__ = [
    "DiscountedSolution", "HardPlan", "SoftPlan", "TabularModel", "TabularPolicy", "Visitation", "action_major",
    "check_transitions", "demo_reward_counts", "discounted_value_iteration", "expected_return", "expected_rewards",
    "finite_horizon_value_iteration", "hard_value_iteration", "optimal_policy", "policy_evaluation",
    "sample_states", "soft_value_iteration", "solve_env", "tabular_model", "trajectory_states", "visitation",
]
