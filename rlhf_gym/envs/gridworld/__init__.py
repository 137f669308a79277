"""The GridWorld family: tabular worlds with a public model (manual: ``env.GridWorldEnv``).
``layouts`` parses and builds layouts (the legend), ``render`` draws frames as numpy images."""

from rlhf_gym.envs.gridworld.env import ACTION_NAMES, OBS_TYPES, GridWorldEnv

__all__ = ["ACTION_NAMES", "GridWorldEnv", "OBS_TYPES"]
