"""Backflip-v0 and -v1: a planar pogo-stick hopper that should do one backflip and stick the landing.

Why it exists: a backflip is easy to judge by eye and awkward to write as a
reward (Christiano et al. 2017 taught MuJoCo's Hopper one from ~900 human
preference queries). This env is a small, fast stand-in: pure-Python physics
(see ``physics``), a fixed horizon, and a hidden hand-written reward in
``info["true_reward"]`` for simulated teachers and honest evaluation.

Episodes have a fixed length: ``horizon`` steps (default 200 = 8 s at 25 Hz),
always ending with ``truncated=True`` and never terminating early -- a variable
length would leak reward information to a preference learner. A crash does not
end the episode; the hopper just lies on the ground for the rest of it.
``terminate_on_crash=True`` (opt-in) ends the episode with ``terminated=True`` on the
step of the crash instead, as Gymnasium's Hopper ends an unhealthy episode. Why offer
it: a reward learned from comparisons prices lying on the ground arbitrarily (on some
preference runs above standing), and an ended episode earns nothing more; the price
is that leak -- the episode's length tells the learner when the hopper crashed.

Actions, ``Box(-1, 1, (2,), float32)``:
  0. leg: target rest length ``R_MIN..R_MAX`` (crouch/extend on the ground --
     extending while compressed pumps energy in -- and tuck/untuck in the air).
  1. hip: on the ground a torque between leg and body (+ turns the body
     backward); in the air the leg's swing angle relative to the body.
An action of the wrong shape, non-finite, or outside [-1, 1] raises ValueError.

Observation, ``float32`` of length 16 (names in ``OBS_FIELDS``): height, vx, vy,
sin/cos of the body angle (0 = upright, + = backward), angular rate, contact
flag, leg rest length, leg compression, sin/cos of the leg's world angle, time
fraction, flip progress (best backward rotation so far / one turn, capped at 1),
flipped flag (a full turn done), landed flag (the landing bonus has been paid)
and crashed flag. With these the task (reward included) is Markov.

Terms (``TOL`` = 30 degrees):
- ``flips``: completed backward turns, ``floor((best_angle + TOL) / 2 pi)`` where
  ``best_angle`` is the largest unwrapped body angle reached before any crash;
- ``crashed``: the body ellipse has touched the ground (permanent);
- ``landed_upright``: the foot is on the ground, the body is within ``TOL`` of
  upright, not crashed, and ``flips >= 1``;
- success of an episode: ``flips >= 1`` and ``landed_upright`` at its last step
  (also reported as ``info["is_success"]`` on every step).

True reward per step (the return of ``step`` and ``info["true_reward"]``):
  ``SPIN_WEIGHT * d_progress * min(1, height / SPIN_HEIGHT)`` while airborne at
  the end of the step (``d_progress``: growth of the flip progress this step, so
  each part of the first turn is paid once, more when done high),
  ``- SPIN_COST * |change of body angle|`` on every step once ``flips >= 1``
  (not after a crash): a second flip or a wobbly landing costs,
  ``+ LAND_BONUS`` on the first step that is ``landed_upright``,
  ``+ stand_reward`` on every step that is ``landed_upright`` (constructor argument,
  default ``STAND_REWARD``), and ``+ upright_reward * (1 - |body angle| / TOL)`` on those steps
  (constructor argument, default 0: standing straighter pays more),
  ``- crash_penalty`` on the step the crash happens (constructor argument, default
  ``CRASH_PENALTY``). At the default a flip that ends in a crash pays about nothing, so PPO
  on this reward learns the flip on only some seeds; a lower penalty makes trying pay,
  ``+ touchdown_reward * touchdown_quality`` on the first step after the flip that the foot or
  the body touches the ground (constructor argument, default 0): 1 upright and not turning,
  falling to 0 at 90 degrees off upright or spinning at ``TOUCHDOWN_SPIN``.

Backflip-v1 is the same hopper, observation and success rule with the reward paying the way to a
landing and a crash ending the episode: ``crash_penalty=0``, ``stand_reward=0.3``,
``touchdown_reward=2``, ``upright_reward=0.3``, ``terminate_on_crash=True``. Why: on v0's reward PPO
is a lottery -- a flip that ends in a crash pays no more than hopping in place, so half the seeds
never try; with no crash penalty every seed flips, but a flip that crashes at a bad angle and one
that nearly lands pay the same, so some seeds keep crashing. The touchdown term grades those
crashes, pointing the way to the landing; standing pays three times more, and more the straighter
it is, so that the landing is worth what it costs to learn and a slow lean is noticed before it
passes 30 degrees; the steps a crashed hopper would spend lying on the ground go to new attempts.
The price of the last: an episode's length tells a preference learner when the hopper crashed
(docs/log/backflip.md, "Backflip-v1", has the screening).
"""

from __future__ import annotations

import math
from collections import deque

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rlhf_gym.envs.backflip import physics as phys

TOL = math.radians(30.0)
TWO_PI = 2.0 * math.pi
SPIN_WEIGHT = 2.0
SPIN_HEIGHT = 2.0
LAND_BONUS = 2.0
STAND_REWARD = 0.1
SPIN_COST = 0.3
CRASH_PENALTY = 2.0
TOUCHDOWN_REWARD = 0.0
UPRIGHT_REWARD = 0.0
TOUCHDOWN_SPIN = 10.0  # rad/s: a first touchdown after the flip spinning this fast earns no touchdown reward
TRAIL_LEN = 14
# Constructor arguments that resize a term of the true reward (teachable variants, same physics).
REWARD_ARGUMENTS = ("crash_penalty", "stand_reward", "touchdown_reward", "upright_reward")

OBS_FIELDS = (
    "height", "vx", "vy", "sin_angle", "cos_angle", "omega", "contact",
    "leg_rest", "leg_compression", "sin_leg", "cos_leg", "time_fraction",
    "flip_progress", "flipped", "landed", "crashed",
)
OBS_INDEX = {name: i for i, name in enumerate(OBS_FIELDS)}

_INF = np.inf
_LOW = np.array([-_INF, -_INF, -_INF, -1, -1, -_INF, 0, phys.R_MIN, -_INF, -1, -1, 0, 0, 0, 0, 0],
                dtype=np.float32)
_HIGH = np.array([_INF, _INF, _INF, 1, 1, _INF, 1, phys.R_MAX, _INF, 1, 1, 1, 1, 1, 1, 1],
                 dtype=np.float32)


def _reward_constant(name: str, value) -> float:
    """A reward term's size from the constructor: a finite float >= 0, else ValueError."""
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
            or not 0.0 <= value < math.inf):
        raise ValueError(f"BackflipEnv: {name} must be a finite float >= 0; got {value!r}")
    return float(value)


def _wrap(angle: float) -> float:
    """Angle in [-pi, pi)."""
    return (angle + math.pi) % TWO_PI - math.pi


def touchdown_quality(theta: float, omega: float) -> float:
    """How near a touchdown is to a landing, in [0, 1]: 1 upright and not turning, 0 at 90 degrees
    off upright or spinning at ``TOUCHDOWN_SPIN``. Why: it grades the crashes that end a flip, so a
    learner that flips and crashes is shown which way the landing lies."""
    return max(0.0, 1.0 - abs(_wrap(theta)) / (0.5 * math.pi)) * max(0.0, 1.0 - abs(omega) / TOUCHDOWN_SPIN)


class BackflipEnv(gym.Env):
    """One-legged hopper; the goal is a single backflip landed upright. See the module doc."""

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": 25}
    obs_fields = OBS_FIELDS  # names of the observation's entries (a learned reward's ``ignore`` takes them)

    def __init__(self, horizon: int = 200, render_mode: str | None = None,
                 width: int = 480, height: int = 360, crash_penalty: float = CRASH_PENALTY,
                 stand_reward: float = STAND_REWARD, terminate_on_crash: bool = False,
                 touchdown_reward: float = TOUCHDOWN_REWARD, upright_reward: float = UPRIGHT_REWARD) -> None:
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ValueError(f"BackflipEnv: horizon must be a positive int; got {horizon!r}")
        self.crash_penalty = _reward_constant("crash_penalty", crash_penalty)
        self.stand_reward = _reward_constant("stand_reward", stand_reward)
        self.touchdown_reward = _reward_constant("touchdown_reward", touchdown_reward)
        self.upright_reward = _reward_constant("upright_reward", upright_reward)
        if not isinstance(terminate_on_crash, (bool, np.bool_)):
            raise ValueError(f"BackflipEnv: terminate_on_crash must be a bool; got {terminate_on_crash!r}")
        self.terminate_on_crash = bool(terminate_on_crash)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"BackflipEnv: render_mode must be None or one of "
                f"{self.metadata['render_modes']}; got {render_mode!r}")
        for name, value in (("width", width), ("height", height)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 32:
                raise ValueError(f"BackflipEnv: {name} must be an int >= 32; got {value!r}")
        self.horizon = int(horizon)
        self.render_mode = render_mode
        self.width, self.height = int(width), int(height)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.observation_space = spaces.Box(_LOW, _HIGH, dtype=np.float32)
        self.state: phys.PogoState | None = None
        self.t = 0
        self.best_angle = 0.0
        self.landed = False
        self.touched_down = False
        self.trail: deque = deque(maxlen=TRAIL_LEN)
        self._window = None

    # ------------------------------------------------------------------ core
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        u = self.np_random.uniform(-1.0, 1.0, size=5)
        self.state = phys.PogoState(
            x=0.0, y=0.95 + 0.05 * float(u[0]), vx=0.1 * float(u[1]), vy=0.1 * float(u[2]),
            theta=0.05 * float(u[3]), omega=0.1 * float(u[4]), r=0.75)
        self.t = 0
        self.best_angle = max(0.0, self.state.theta)
        self.landed = False
        self.touched_down = False
        self.trail.clear()
        self.trail.append((self.state.x, self.state.y))
        if self.render_mode == "human":
            self.render()
        return self._obs(), self._info(0.0)

    def step(self, action):
        if self.state is None:
            raise RuntimeError("BackflipEnv.step called before reset()")
        a0, a1 = self._check_action(action)
        s = self.state
        was_crashed = s.crashed
        old_progress = min(self.best_angle, TWO_PI)
        old_theta = s.theta
        old_omega = s.omega
        phys.advance(s, a0, a1)
        self.t += 1
        if not s.crashed and s.theta > self.best_angle:
            self.best_angle = s.theta
        reward = 0.0
        if not s.contact and not s.crashed:
            gain = min(self.best_angle, TWO_PI) - old_progress
            if gain > 0.0:
                reward += SPIN_WEIGHT * gain / TWO_PI * min(1.0, max(0.0, s.y) / SPIN_HEIGHT)
        if self.best_angle + TOL >= TWO_PI and not s.crashed:
            # After the flip any turning costs, so "one flip, then stand" beats
            # a string of flips.
            reward -= SPIN_COST * abs(s.theta - old_theta)
        upright = self._landed_upright()
        if upright:
            reward += self.stand_reward + self.upright_reward * (1.0 - abs(_wrap(s.theta)) / TOL)
            if not self.landed:
                reward += LAND_BONUS
                self.landed = True
        if s.crashed and not was_crashed:
            reward -= self.crash_penalty
        if (self.touchdown_reward and not self.touched_down and (s.contact or s.crashed)
                and self.best_angle + TOL >= TWO_PI):
            self.touched_down = True
            reward += self.touchdown_reward * touchdown_quality(s.theta, old_omega)
        if self.render_mode is not None:
            self.trail.append((s.x, s.y))
            if self.render_mode == "human":
                self.render()
        terminated = self.terminate_on_crash and s.crashed
        truncated = self.t >= self.horizon and not terminated
        return self._obs(), reward, terminated, truncated, self._info(reward, upright)

    # --------------------------------------------------------------- helpers
    def _check_action(self, action) -> tuple[float, float]:
        try:
            arr = action if isinstance(action, np.ndarray) else np.asarray(action, dtype=np.float64)
            ok = arr.shape == (2,) and arr.dtype.kind in "fiu"
        except (TypeError, ValueError):
            ok = False
        if ok:
            a0, a1 = float(arr[0]), float(arr[1])
            if -1.0 <= a0 <= 1.0 and -1.0 <= a1 <= 1.0:  # False for NaN too
                return a0, a1
        raise ValueError(
            f"BackflipEnv.step: action must be a finite array of shape (2,) with values in "
            f"[-1, 1] (action_space {self.action_space}); got {action!r}")

    def flips(self) -> int:
        """Completed backward turns (see the module doc)."""
        return max(0, int(math.floor((self.best_angle + TOL) / TWO_PI)))

    def _landed_upright(self) -> bool:
        s = self.state
        return bool(s.contact and not s.crashed and abs(_wrap(s.theta)) <= TOL
                    and self.best_angle + TOL >= TWO_PI)

    def _obs(self) -> np.ndarray:
        s = self.state
        th = s.theta
        if s.contact:
            dx = s.x - s.foot_x
            leg = math.sqrt(dx * dx + s.y * s.y)
            sin_leg, cos_leg = -dx / leg, s.y / leg
            compression = s.r - leg
        else:
            alpha = th + s.psi
            sin_leg, cos_leg = math.sin(alpha), math.cos(alpha)
            compression = 0.0
        flipped = self.best_angle + TOL >= TWO_PI
        return np.array((
            s.y, s.vx, s.vy, math.sin(th), math.cos(th), s.ang_mom / phys.inertia(s.r),
            float(s.contact), s.r, compression, sin_leg, cos_leg, self.t / self.horizon,
            min(self.best_angle, TWO_PI) / TWO_PI, float(flipped), float(self.landed),
            float(s.crashed)), dtype=np.float32)

    def _info(self, reward: float, upright: bool | None = None) -> dict:
        if upright is None:
            upright = self._landed_upright()
        flips = self.flips()
        return {"true_reward": float(reward), "flips": flips, "landed_upright": upright,
                "crashed": bool(self.state.crashed), "is_success": bool(flips >= 1 and upright)}

    # --------------------------------------------------------------- render
    def render(self):
        if self.render_mode is None:
            gym.logger.warn("BackflipEnv.render called without a render_mode; "
                            'pass render_mode="rgb_array" or "human" to gym.make.')
            return None
        if self.state is None:
            raise RuntimeError("BackflipEnv.render called before reset()")
        from rlhf_gym.envs.backflip.render import draw_frame

        frame = draw_frame(self.state, self.trail, self.width, self.height,
                           flips=self.flips(), crashed=self.state.crashed)
        if self.render_mode == "rgb_array":
            return frame
        self._show(frame)
        return None

    def _show(self, frame: np.ndarray) -> None:
        if self._window is None:
            from rlhf_gym.rendering.frame_window import FrameWindow

            self._window = FrameWindow("rlhf_gym Backflip", fps=self.metadata["render_fps"])
        self._window.show(frame)

    def close(self):
        if self._window is not None:
            self._window.close()
            self._window = None
