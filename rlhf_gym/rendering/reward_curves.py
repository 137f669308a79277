"""Two reward curves beside a rollout: what a learned reward pays, against the task's true reward.

Why: a learned reward that agrees with the truth on the labelled clips can still pay the wrong thing
elsewhere; watching both curves move with the agent shows where they part. The panel is a numpy
image (no plotting library, no display), drawn step by step and joined to the env's frame.
"""

from __future__ import annotations

import numpy as np

TRUE_COLOUR, LEARNED_COLOUR, AXIS_COLOUR, BACKGROUND = (40, 170, 60), (220, 60, 50), (150, 150, 150), (250, 250, 250)


class RewardCurves:
    """Keeps the last ``window`` steps' true and learned rewards; ``panel(height)`` draws them."""

    def __init__(self, window: int = 200, width: int = 240):
        if window < 2 or width < 16:
            raise ValueError(f"RewardCurves: window={window!r}, width={width!r}; allowed: window >= 2, width >= 16")
        self.window, self.width = int(window), int(width)
        self.true: list[float] = []
        self.learned: list[float] = []

    def add(self, true_reward: float, learned_reward: float) -> None:
        self.true.append(float(true_reward))
        self.learned.append(float(learned_reward))
        del self.true[:-self.window], self.learned[:-self.window]

    def reset(self) -> None:
        self.true.clear()
        self.learned.clear()

    def panel(self, height: int) -> np.ndarray:
        """(height, width, 3) uint8: green the true reward, red the learned one, each scaled to its own range
        (their units differ), with the zero line of the true reward in grey."""
        image = np.empty((height, self.width, 3), dtype=np.uint8)
        image[:] = BACKGROUND
        for series, colour in ((self.true, TRUE_COLOUR), (self.learned, LEARNED_COLOUR)):
            if len(series) < 2:
                continue
            y = self._rows(np.asarray(series), height)
            if series is self.true:
                zero = self._rows(np.array([0.0, min(series), max(series)]), height)[0]
                image[zero, :] = AXIS_COLOUR
            x = np.linspace(0, self.width - 1, self.window)[-len(series):].astype(int)
            for (x0, y0), (x1, y1) in zip(zip(x[:-1], y[:-1]), zip(x[1:], y[1:])):
                lo, hi = sorted((y0, y1))
                image[lo:hi + 1, x0:max(x1, x0 + 1)] = colour
        return image

    @staticmethod
    def _rows(values: np.ndarray, height: int) -> np.ndarray:
        lo, hi = float(values.min()), float(values.max())
        span = hi - lo if hi > lo else 1.0
        return (height - 4 - (values - lo) / span * (height - 8)).astype(int)


def beside(frame: np.ndarray, panel: np.ndarray) -> np.ndarray:
    """The env frame with the curves' panel to its right."""
    return np.concatenate([frame, panel], axis=1)
