"""The online preference loop (Christiano et al. 2017): its config, the callback that asks and refits
during ``model.learn()``, the pipeline that wires env, reward model, teacher and agent, and the
experiment that runs it into a folder. Names load on first use (the callback imports SB3)."""

from __future__ import annotations

import importlib

_NAMES = {
    "RLHFConfig": "config", "load_config": "config",
    "PreferenceLearningCallback": "callback",
    "run_rlhf": "pipeline", "fit_from_store": "pipeline", "train_on_reward": "pipeline",
    "run_experiment": "experiment",
}


def __getattr__(name: str):
    if name in _NAMES:
        return getattr(importlib.import_module(f"rlhf_gym.rlhf.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'rlhf_gym.rlhf' has no attribute {name!r}")


__all__ = list(_NAMES)
