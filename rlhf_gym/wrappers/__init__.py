"""Wrappers: learned rewards (gym and SB3 VecEnv) and DAgger expert queries.

Imported lazily so that ``import rlhf_gym.wrappers`` does not pull in torch or SB3
until a wrapper that needs them is used.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "LearnedReward": "rlhf_gym.wrappers.learned_reward",
    "VecLearnedReward": "rlhf_gym.wrappers.vec_learned_reward",
    "RolloutEndRewards": "rlhf_gym.wrappers.rollout_end_rewards",
    "DAgger": "rlhf_gym.wrappers.dagger",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rlhf_gym.wrappers' has no attribute {name!r}")


__all__ = sorted(_LAZY)
