"""Planar pogo-stick physics for Backflip, in plain Python floats.

Why plain floats: the state is a dozen numbers, and numpy costs microseconds per
call on arrays this small, so the substep loop uses ``math`` and local variables.

Model (SI units, y up, angles counter-clockwise; the hopper faces +x, so a
*positive* rotation is a *backward* rotation):

- The body is a rigid ellipse of mass ``MASS`` whose centre of mass is the hip.
  Its moment of inertia grows with the leg length ``r``:
  ``I(r) = INERTIA_CORE + INERTIA_LEG * r**2`` -- pulling the leg in is a tuck,
  and since the state keeps angular momentum ``H`` (not the angular rate), a tuck
  in the air spins the body faster, exactly as it does for a gymnast.
- The leg is massless and springy. ``r`` is its rest length, driven by action 0
  (first-order servo towards ``R_MIN..R_MAX``). On the ground the foot is pinned
  and the spring (stiffness ``K_LEG``, damping ``C_LEG``) pushes the hip along
  the leg; it lifts off when the spring would have to pull.
- Action 1 is the hip. On the ground it is a torque ``T_MAX * a1`` between leg
  and body: the body turns, and the same torque pushes the hip sideways through
  the leg. A flat foot resists the leg tipping (a torsional spring towards
  vertical, limited to ``FOOT_HALF * normal force``) so standing is possible.
  In the air the massless leg cannot push on anything, so the hip only swings
  the leg to ``PSI_MAX * a1`` relative to the body (foot placement), and the
  body's angular momentum is conserved. The hip has a mechanical stop at
  ``HIP_LIMIT``, so the body cannot spin like a propeller on a planted leg.
- If the body ellipse touches the ground the hopper has crashed: from then on it
  lies on the ground under heavy damping and friction, and the leg is limp.

Integration is semi-implicit Euler with ``SUBSTEPS`` substeps of ``SUBSTEP_DT``.
"""

from __future__ import annotations

import math

TWO_PI = 2.0 * math.pi
G = 9.81
MASS = 1.0
K_LEG = 250.0  # N/m; stance half-period ~0.2 s
C_LEG = 3.0  # N s/m
R_MIN, R_MAX = 0.55, 0.95  # leg rest length range (m)
R_TAU = 0.05  # s, leg length servo time constant
INERTIA_CORE, INERTIA_LEG = 0.03, 0.2  # kg m^2, kg
T_MAX = 6.0  # N m, hip torque on the ground
PSI_MAX = 0.8  # rad, hip swing range in the air
PSI_TAU = 0.05  # s, hip swing servo time constant
HIP_LIMIT = 1.0  # rad, mechanical stop of the hip angle (leg relative to body)
K_HIP_STOP, C_HIP_STOP = 100.0, 2.0  # stiffness / damping of that stop
K_FOOT, C_FOOT = 80.0, 10.0  # torsional foot spring towards a vertical leg
FOOT_HALF = 0.5  # m, lever arm of the flat foot: its torque limit is FOOT_HALF * leg force
BODY_HALF_LEN, BODY_HALF_WIDTH = 0.3, 0.14  # ellipse semi-axes (m)
SUBSTEP_DT = 0.005
SUBSTEPS = 8  # one env step = 0.04 s (25 Hz control)
CRASH_FRICTION = 0.9  # per-substep decay of vx and spin while lying on the ground
CRASH_K, CRASH_C = 2000.0, 40.0  # ground penalty spring under a crashed body


def inertia(r: float) -> float:
    """Moment of inertia of the body with the leg at rest length ``r``."""
    return INERTIA_CORE + INERTIA_LEG * r * r


def body_extent(theta: float) -> float:
    """Vertical half-extent of the body ellipse at angle ``theta``."""
    c, s = math.cos(theta), math.sin(theta)
    return math.sqrt((BODY_HALF_LEN * c) ** 2 + (BODY_HALF_WIDTH * s) ** 2)


class PogoState:
    """Mutable hopper state; ``theta`` is unwrapped (it counts whole turns)."""

    __slots__ = (
        "x", "y", "vx", "vy", "theta", "ang_mom", "r", "psi",
        "contact", "foot_x", "crashed",
    )

    def __init__(self, x: float, y: float, vx: float, vy: float, theta: float,
                 omega: float, r: float, psi: float = 0.0) -> None:
        self.x, self.y, self.vx, self.vy = x, y, vx, vy
        self.theta = theta
        self.r = r
        self.ang_mom = omega * inertia(r)
        self.psi = psi
        self.contact = False
        self.foot_x = 0.0
        self.crashed = False

    @property
    def omega(self) -> float:
        return self.ang_mom / inertia(self.r)

    def leg(self) -> tuple[float, float, float]:
        """(foot x, foot y, leg world angle alpha); alpha=0 is a vertical leg."""
        if self.contact:
            dx, dy = self.x - self.foot_x, self.y
            return self.foot_x, 0.0, math.atan2(-dx, dy)
        alpha = self.theta + self.psi
        return (self.x + self.r * math.sin(alpha), self.y - self.r * math.cos(alpha), alpha)

    def leg_length(self) -> float:
        if self.contact:
            return math.hypot(self.x - self.foot_x, self.y)
        return self.r

    def copy(self) -> "PogoState":
        new = PogoState.__new__(PogoState)
        for name in PogoState.__slots__:
            setattr(new, name, getattr(self, name))
        return new


_R_KEEP = math.exp(-SUBSTEP_DT / R_TAU)
_PSI_KEEP = math.exp(-SUBSTEP_DT / PSI_TAU)


def advance(s: PogoState, thrust: float, hip: float) -> None:
    """Advance ``s`` by one env step (``SUBSTEPS`` substeps) under actions in [-1, 1]."""
    h = SUBSTEP_DT
    r_goal = R_MIN + (R_MAX - R_MIN) * 0.5 * (thrust + 1.0)
    psi_goal = PSI_MAX * hip
    tau_hip = T_MAX * hip
    x, y, vx, vy, th, H, r, psi = s.x, s.y, s.vx, s.vy, s.theta, s.ang_mom, s.r, s.psi
    contact, foot_x, crashed = s.contact, s.foot_x, s.crashed
    for _ in range(SUBSTEPS):
        r = r_goal + (r - r_goal) * _R_KEEP
        ax, ay = 0.0, -G
        if crashed:
            vx *= CRASH_FRICTION
            H *= CRASH_FRICTION
            pen = body_extent(th) - y
            if pen > 0.0:
                ay += (CRASH_K * pen - CRASH_C * vy) / MASS
        else:
            if contact:
                dx = x - foot_x
                leg = math.sqrt(dx * dx + y * y)
                ex, ey = dx / leg, y / leg
                f_leg = K_LEG * (r - leg) - C_LEG * (vx * ex + vy * ey)
                if f_leg <= 0.0:
                    contact = False  # the spring would pull: the foot leaves the ground
                    psi = (math.atan2(-dx, y) - th + math.pi) % TWO_PI - math.pi
                else:
                    alpha = math.atan2(-ex, ey)
                    alpha_dot = (vy * ex - vx * ey) / leg
                    limit = FOOT_HALF * f_leg
                    tau_foot = -K_FOOT * alpha - C_FOOT * alpha_dot
                    if tau_foot > limit:
                        tau_foot = limit
                    elif tau_foot < -limit:
                        tau_foot = -limit
                    # Hip joint stop: past +-HIP_LIMIT the hip pushes back hard, so the
                    # body cannot spin freely around a planted leg.
                    hip_angle = (alpha - th + math.pi) % TWO_PI - math.pi
                    tau_body = tau_hip
                    over = hip_angle - HIP_LIMIT if hip_angle > 0.0 else hip_angle + HIP_LIMIT
                    if over * hip_angle > 0.0:
                        hip_rate = alpha_dot - H / (INERTIA_CORE + INERTIA_LEG * r * r)
                        tau_body += K_HIP_STOP * over + C_HIP_STOP * hip_rate
                    f_side = (tau_foot - tau_body) / leg  # along (-ey, ex)
                    ax = (f_leg * ex - f_side * ey) / MASS
                    ay = (f_leg * ey + f_side * ex) / MASS - G
                    H += tau_body * h
            if not contact:
                psi = psi_goal + (psi - psi_goal) * _PSI_KEEP
                alpha = th + psi
                foot_y = y - r * math.cos(alpha)
                if foot_y < 0.0 and vy < 0.0:
                    contact = True
                    foot_x = x + r * math.sin(alpha)
        vx += ax * h
        vy += ay * h
        x += vx * h
        y += vy * h
        th += H / (INERTIA_CORE + INERTIA_LEG * r * r) * h
        if not crashed and y < BODY_HALF_LEN and y < body_extent(th):
            crashed = True
            contact = False
    s.x, s.y, s.vx, s.vy, s.theta, s.ang_mom, s.r, s.psi = x, y, vx, vy, th, H, r, psi
    s.contact, s.foot_x, s.crashed = contact, foot_x, crashed
