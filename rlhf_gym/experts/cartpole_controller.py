"""Scripted CartPole controller: a linear state feedback, the expert for demonstrations and DAgger.

Why scripted: CartPole needs no training to balance. Pushing toward the side the pole leans,
with terms for the pole's turning speed and the cart's drift, keeps the pole up and the cart
near the centre for a whole fixed-horizon episode (tests/experts/test_cartpole_controller.py).
It reads only the observation (x, x_dot, theta, theta_dot).
"""

from __future__ import annotations

import numpy as np

# Weights of (x, x_dot, theta, theta_dot); push right (action 1) when the sum is positive.
GAINS = np.array([0.05, 0.1, 1.0, 0.3])


class CartPoleExpert:
    """SB3-style ``predict`` over one observation (4,) or a batch (n, 4); it needs nothing of the env."""

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = True):
        obs = np.asarray(observation, dtype=np.float64)
        if obs.ndim not in (1, 2) or obs.shape[-1] != len(GAINS):
            raise ValueError(f"CartPoleExpert.predict: observation must have shape (4,) or (n, 4); got shape {obs.shape}")
        actions = (obs @ GAINS > 0).astype(np.int64)
        return actions, state
