"""OptimisticReward: the ensemble's mean reward plus a bonus for where its members disagree.

Why: an agent trained on a learned reward only visits what the reward already likes, so
the teacher is never asked about states the labels have not reached (RUNE, Liang et al.
2022). Adding ``beta`` times the members' spread makes such states worth a visit; the
online loop lowers ``beta`` to 0 as the label budget runs out. A negative ``beta`` is the opposite,
pessimism: once no more labels come, the agent is kept from states where the members disagree,
which are the states the labels never priced and where PPO can exploit the reward's errors.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.rewards.model import RewardModel


def check_spread_weight(name: str, value, ensemble_size: int) -> float:
    """The weight of the members' spread, as a float; raises naming ``name`` unless it is finite and,
    when non-zero, the model has at least two members to disagree."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ValueError(f"{name}={value!r}; allowed: a finite float")
    if value != 0.0 and ensemble_size < 2:
        raise ValueError(f"{name}={value!r} (non-zero) needs an ensemble (ensemble_size >= 2); "
                         f"the model has {ensemble_size} member")
    return float(value)


class OptimisticReward:
    """A reward_fn: ``mean over members + beta * std over members`` of a RewardModel's normalised outputs
    (beta > 0: optimistic, beta < 0: pessimistic)."""

    def __init__(self, model: RewardModel, beta: float = 0.0):
        if not isinstance(model, RewardModel):
            raise TypeError(f"OptimisticReward: model={type(model).__name__}; allowed: a RewardModel")
        self.model = model
        self.beta = beta

    @property
    def beta(self) -> float:
        return self._beta

    @beta.setter
    def beta(self, value: float) -> None:
        self._beta = check_spread_weight("OptimisticReward: beta", value, self.model.ensemble_size)

    def check_env(self, env) -> None:
        self.model.check_env(env)

    def __call__(self, obs, actions, next_obs, dones=None) -> np.ndarray:
        if self._beta == 0.0:
            return self.model(obs, actions, next_obs)
        members = self.model.member_rewards(obs, actions, next_obs)
        return (members.mean(axis=0) + self._beta * members.std(axis=0)).astype(np.float32)
