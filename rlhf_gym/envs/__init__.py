"""Environments: GridWorld (tabular, known dynamics) and Backflip (2-D physics)."""

from rlhf_gym.envs.backflip import BackflipEnv
from rlhf_gym.envs.gridworld import GridWorldEnv

__all__ = ["BackflipEnv", "GridWorldEnv"]
