"""Scripted Backflip controller, the expert for imitation and the yardstick for RLHF.

Why scripted: it gives demonstrations, DAgger labels and an upper reference
without training anything. It reads only the observation (never the env's
hidden state), so it also shows that the observation carries what a controller
needs. Phases, chosen from the contact, flipped and crashed flags:

1. ground, before the flip: sink on the way down (short leg), then extend hard
   while rising and twist the body backward with the hip -- the push-off;
2. air, before the flip: tuck (short leg) to spin fast, and untuck as soon as
   the slower untucked spin still completes the turn by touch-down;
3. air, after the flip: long leg, hip swings the foot under the body, slightly
   ahead of it in the direction of travel (foot placement brakes the motion);
4. ground, after the flip: leg works as a damper (long while sinking, short
   while rising, so the hopper does not bounce off again) and the hip turns the
   body upright.
"""

from __future__ import annotations

import math

import numpy as np

from rlhf_gym.envs.backflip import physics as phys
from rlhf_gym.envs.backflip import OBS_FIELDS, OBS_INDEX

TWO_PI = 2.0 * math.pi
_I = OBS_INDEX

# Gains, picked by hand with baselines/bench_backflip.py.
PUSH_HIP = 1.0  # backward hip torque (fraction of T_MAX) during push-off
UPRIGHT_KP, UPRIGHT_KD = 1.5, 0.3  # hip PD towards upright on the ground
PLACE_GAIN = 0.25  # leg angle per m/s of horizontal speed at touch-down
LAND_HIP_Y = 0.85  # hip height at touch-down with a long leg (m)
UNTUCK_MARGIN = 0.0  # rad of spare rotation required before untucking
STAND_SAG = 1.2 * phys.MASS * phys.G / phys.K_LEG  # spring pre-load when standing (m)
STAND_DAMP = 0.08  # m of rest length per m/s of vertical speed
_R_MID, _R_HALF = 0.5 * (phys.R_MIN + phys.R_MAX), 0.5 * (phys.R_MAX - phys.R_MIN)


def _clip(v: float) -> float:
    return -1.0 if v < -1.0 else (1.0 if v > 1.0 else v)


def _time_to_land(y: float, vy: float) -> float:
    """Seconds until the hip falls to LAND_HIP_Y on a ballistic path (0 if below)."""
    drop = y - LAND_HIP_Y
    disc = vy * vy + 2.0 * phys.G * drop
    if disc <= 0.0:
        return 0.0
    return max(0.0, (vy + math.sqrt(disc)) / phys.G)


def act(o) -> tuple[float, float]:
    """Action (leg, hip) for one observation row."""
    s, c = float(o[_I["sin_angle"]]), float(o[_I["cos_angle"]])
    theta = math.atan2(s, c)  # wrapped, 0 = upright, + = leaning back
    omega = float(o[_I["omega"]])
    vx, vy, y = float(o[_I["vx"]]), float(o[_I["vy"]]), float(o[_I["height"]])
    contact = o[_I["contact"]] > 0.5
    flipped = o[_I["flipped"]] > 0.5
    if o[_I["crashed"]] > 0.5:
        return 0.0, 0.0
    if contact:
        if not flipped:
            if vy < 0.0:  # sinking: crouch, hold the body upright
                return -1.0, _clip(-UPRIGHT_KP * theta - UPRIGHT_KD * omega)
            return 1.0, PUSH_HIP  # rising: extend and twist backward
        # Landed: rest length = current length + static sag, minus a velocity
        # term, so the spring holds the weight and damps the bounce.
        length = float(o[_I["leg_rest"]]) - float(o[_I["leg_compression"]])
        goal = length + STAND_SAG - STAND_DAMP * vy
        leg = _clip((goal - _R_MID) / _R_HALF)
        return leg, _clip(-UPRIGHT_KP * theta - UPRIGHT_KD * omega)
    # In the air: the hip sets the leg angle relative to the body.
    place = _clip((PLACE_GAIN * vx - theta) / phys.PSI_MAX)
    if flipped:
        return 1.0, place
    progress = theta % TWO_PI
    if progress > math.pi and o[_I["flip_progress"]] < 0.5:
        progress -= TWO_PI  # a small forward lean before the flip, not a near-complete turn
    remaining = TWO_PI - progress
    ang_mom = omega * phys.inertia(float(o[_I["leg_rest"]]))
    slow_spin = ang_mom / phys.inertia(phys.R_MAX)
    if omega <= 0.5 or slow_spin * _time_to_land(y, vy) >= remaining + UNTUCK_MARGIN:
        return 1.0, place  # not spinning (just hopping), or enough spin left: untuck, land
    return -1.0, 0.0  # tuck to spin faster


class BackflipExpert:
    """Scripted backflip policy with Stable-Baselines3's ``predict`` signature."""

    def __init__(self, env) -> None:
        base = getattr(env, "unwrapped", env)
        space = getattr(base, "observation_space", None)
        if space is None or space.shape != (len(OBS_FIELDS),):
            raise ValueError(
                f"BackflipExpert: env must be a Backflip env with a ({len(OBS_FIELDS)},) "
                f"observation; got {type(base).__name__} with observation_space {space}")
        self.env = base
        self.observation_space = base.observation_space
        self.action_space = base.action_space

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = True):
        """Return (actions, state): (2,) for one observation, (n, 2) for a batch."""
        obs = np.asarray(observation, dtype=np.float64)
        width = len(OBS_FIELDS)
        if obs.ndim not in (1, 2) or obs.shape[-1] != width:
            raise ValueError(
                f"BackflipExpert.predict: observation must have shape ({width},) or "
                f"(n, {width}); got shape {obs.shape}")
        rows = obs.reshape(-1, width)
        actions = np.array([act(row) for row in rows], dtype=np.float32)
        return (actions[0] if obs.ndim == 1 else actions), state
