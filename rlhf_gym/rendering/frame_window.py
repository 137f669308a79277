"""A pygame window that shows numpy frames.

Envs build their frames as (H, W, 3) uint8 arrays (Minigrid style); this window only shows
them, so ``rgb_array`` never needs a display and every env shows frames the same way.
pygame is imported on first use, as Gymnasium's own envs do.
"""

from __future__ import annotations

import numpy as np


class FrameWindow:
    """Show frames at a fixed frame rate; ``closed`` turns true when the user closes the window."""

    def __init__(self, title: str = "rlhf_gym", fps: int = 30, scale: float = 1.0):
        if fps <= 0:
            raise ValueError(f"fps: {fps!r}; allowed: a positive number")
        if scale <= 0:
            raise ValueError(f"scale: {scale!r}; allowed: a positive number")
        self.title, self.fps, self.scale = title, fps, scale
        self.closed = False
        self.keys: list[int] = []  # keys pressed while frames were shown (pygame key codes), oldest first
        self._screen = None
        self._clock = None
        self._pygame = None

    def _open(self, width: int, height: int) -> None:
        import pygame

        self._pygame = pygame
        pygame.display.init()
        pygame.display.set_caption(self.title)
        self._screen = pygame.display.set_mode((width, height))
        self._clock = pygame.time.Clock()

    def show(self, frame: np.ndarray) -> None:
        """Draw one frame, process window events and wait for the next tick."""
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"frame: shape {frame.shape} dtype {frame.dtype}; allowed: (H, W, 3) uint8")
        height, width = int(frame.shape[0] * self.scale), int(frame.shape[1] * self.scale)
        if self._screen is None:
            self._open(width, height)
        pygame = self._pygame
        surface = pygame.surfarray.make_surface(np.ascontiguousarray(frame.transpose(1, 0, 2)))
        if surface.get_size() != (width, height):
            surface = pygame.transform.scale(surface, (width, height))
        self._screen.blit(surface, (0, 0))
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.closed = True
            elif event.type == pygame.KEYDOWN:
                self.keys.append(event.key)
        pygame.display.flip()
        self._clock.tick(self.fps)

    @property
    def is_open(self) -> bool:
        return self._screen is not None

    def close(self) -> None:
        if self._screen is not None:
            self._pygame.display.quit()
            self._screen = None
