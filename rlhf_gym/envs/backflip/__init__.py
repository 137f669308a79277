"""Backflip: a planar pogo hopper that should flip backwards, land and stand (manual: ``env.BackflipEnv``).
``physics`` integrates the hopper, ``render`` draws its frames as numpy images."""

from rlhf_gym.envs.backflip.env import (CRASH_PENALTY, LAND_BONUS, OBS_FIELDS, OBS_INDEX, REWARD_ARGUMENTS,
                                        SPIN_COST, SPIN_HEIGHT, SPIN_WEIGHT, STAND_REWARD, TOL, TOUCHDOWN_REWARD,
                                        TOUCHDOWN_SPIN, UPRIGHT_REWARD, BackflipEnv,
                                        touchdown_quality)

__all__ = ["BackflipEnv", "CRASH_PENALTY", "LAND_BONUS", "OBS_FIELDS", "OBS_INDEX", "REWARD_ARGUMENTS", "SPIN_COST",
           "SPIN_HEIGHT", "SPIN_WEIGHT", "STAND_REWARD", "TOL", "TOUCHDOWN_REWARD", "TOUCHDOWN_SPIN",
           "UPRIGHT_REWARD", "touchdown_quality"]
