"""The window in which a person compares two clips.

Two clips play side by side, looping in sync at the env's frame rate, under a status line (which
label this is, seconds per label so far, what the clips show) and the key hints. The composite
picture is a numpy image, as every frame in rlhf_gym is; pygame only shows it, draws the text and
reads the keys, and is imported when the window first opens.

Keys: ← left is better (1.0), → right is better (0.0), ↓ or = about equal (0.5), space can't tell
(skip, None), r replay from the start, backspace undo the last answer, escape pause (escape again
quits, any answer key goes on). Keys with no meaning are ignored with a hint on screen.

While a person trains an agent online (``rlhf-gym train --feedback human``) the window may have
nothing to ask for a moment: ``wait`` shows a waiting screen and keeps reading keys (escape still
pauses and quits; answer keys are kept for the next pair, as a fast typist's are), and ``ask`` gives
up on its pair (Answer "stop") once ``should_stop()`` is true, when the training has ended.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass

import numpy as np

from rlhf_gym.data.segments import Segment

GAP, BAR = 12, 56  # pixels between the clips, and of the text bar under them
BACKGROUND, TEXT = (24, 24, 28), (235, 235, 235)
HINT = "<- left better   -> right better   down/= equal   space can't tell   r replay   backspace undo   esc pause"


@dataclass(frozen=True)
class Answer:
    """What a key meant: ``kind`` is "label" (with ``label`` in {1.0, 0.0, 0.5, None}), "undo" or "quit";
    "stop" when the caller's ``should_stop()`` ended the question first."""

    kind: str
    label: float | None = None


def composite(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Two (H, W, 3) frames side by side on one canvas, with a gap and room for the text bar."""
    h = max(left.shape[0], right.shape[0])
    canvas = np.empty((h + BAR, left.shape[1] + GAP + right.shape[1], 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    canvas[: left.shape[0], : left.shape[1]] = left
    canvas[: right.shape[0], left.shape[1] + GAP:] = right
    return canvas


def clip_frames(segment: Segment) -> np.ndarray:
    """The frames a person sees of a clip: only its valid steps (padding after an early end is not shown)."""
    if segment.frames is None:
        raise ValueError("ComparisonWindow: a clip without frames; allowed: clips collected with "
                         "with_frames=True from an env made with render_mode='rgb_array'")
    frames = np.asarray(segment.frames)[np.asarray(segment.valid, dtype=bool)]
    return frames if len(frames) else np.asarray(segment.frames)[:1]


class ComparisonWindow:
    """Ask a person about one pair of clips at a time; ``ask`` returns when a key gives an answer."""

    def __init__(self, fps: float = 25.0, title: str = "rlhf-gym: which clip is better?", scale: float = 1.0):
        if not fps > 0:
            raise ValueError(f"fps: {fps!r}; allowed: a number > 0")
        if not scale > 0:
            raise ValueError(f"scale: {scale!r}; allowed: a number > 0")
        self.fps, self.title, self.scale = float(fps), title, float(scale)
        self._pg = self._screen = self._font = self._clock = None
        self.last_frame: np.ndarray | None = None  # what the window showed last, as a numpy image
        self._pending: deque[int] = deque()  # keys read but not yet used (a fast typist's next answers)
        self._waiting_paused = False
        self._size: tuple[int, int] | None = None  # the canvas of the last pair (the waiting screen keeps it)

    # ---- opening -------------------------------------------------------------------
    def _open(self, size: tuple[int, int]) -> None:
        import pygame

        self._pg = pygame
        try:
            pygame.display.init()
            pygame.font.init()
            self._screen = pygame.display.set_mode(size)
        except pygame.error as err:
            raise ValueError(f"the comparison window cannot open ({err}; SDL_VIDEODRIVER="
                             f"{os.environ.get('SDL_VIDEODRIVER', 'unset')}); allowed: a machine with a display, "
                             "or `rlhf-gym label` with SDL_VIDEODRIVER=dummy for scripted use") from None
        pygame.display.set_caption(self.title)
        self._font = pygame.font.Font(None, 20)
        self._clock = pygame.time.Clock()

    def close(self) -> None:
        self._size = None
        if self._screen is not None:
            self._pg.display.quit()
            self._screen = None

    # ---- asking --------------------------------------------------------------------
    def ask(self, left: Segment, right: Segment, status: str = "", should_stop=None) -> Answer:
        """Loop the two clips until a key answers; ``status`` is shown above the key hints. When
        ``should_stop`` (a callable) returns true first, returns Answer("stop")."""
        a, b = clip_frames(left), clip_frames(right)
        n = max(len(a), len(b))
        t, paused, hint = 0, False, ""
        self._waiting_paused = False
        while True:
            if should_stop is not None and should_stop():
                return Answer("stop")
            self._pending.extend(self._keys())
            while self._pending:
                answer = _meaning(self._pg, self._pending.popleft())
                if answer == "pause":
                    if paused:
                        return Answer("quit")
                    paused, hint = True, "paused: escape again to quit, any other key goes on"
                    continue
                paused = False
                if answer is None:
                    hint = "that key means nothing here; " + HINT
                elif answer == "replay":
                    t, hint = 0, ""
                else:
                    return answer
            frame = composite(a[min(t, len(a) - 1)], b[min(t, len(b) - 1)])
            self._show(frame, status, hint or HINT)
            if not paused:
                t = (t + 1) % n
            self._clock.tick(self.fps)

    def wait(self, status: str = "") -> str | None:
        """One frame of the waiting screen (no pair to ask yet); returns "quit" after escape twice.
        Answer keys stay queued for the next pair; keys with no meaning are dropped."""
        if self._screen is None and self._size is None:
            self._size = (240, 2 * 240 + GAP)
        self._pending.extend(self._keys())
        while self._pending:
            meaning = _meaning(self._pg, self._pending[0])
            if meaning == "pause":
                self._pending.popleft()
                if self._waiting_paused:
                    self._waiting_paused = False
                    return "quit"
                self._waiting_paused = True
            elif meaning is None:
                self._pending.popleft()
            else:
                self._waiting_paused = False  # an answer key goes on; it answers the next pair
                break
        h, w = self._size
        canvas = np.empty((h + BAR, w, 3), dtype=np.uint8)
        canvas[:] = BACKGROUND
        hint = "paused: escape again to quit, any other key goes on" if self._waiting_paused else "esc pause"
        self._show(canvas, status, hint)
        self._clock.tick(self.fps)
        return None

    def _keys(self) -> list[int]:
        pg = self._pg
        keys = []
        for event in pg.event.get() if pg is not None else []:
            if event.type == pg.QUIT:
                keys.append(pg.K_ESCAPE)
                keys.append(pg.K_ESCAPE)
            elif event.type == pg.KEYDOWN:
                keys.append(event.key)
        return keys

    def _show(self, frame: np.ndarray, status: str, hint: str) -> None:
        size = (int(frame.shape[1] * self.scale), int(frame.shape[0] * self.scale))
        if self._screen is None:
            self._open(size)
        elif self._screen.get_size() != size:  # the waiting screen came first, or clips of another size
            self._screen = self._pg.display.set_mode(size)
        self._size = (frame.shape[0] - BAR, frame.shape[1])
        pg = self._pg
        surface = pg.surfarray.make_surface(np.ascontiguousarray(frame.transpose(1, 0, 2)))
        if surface.get_size() != size:
            surface = pg.transform.scale(surface, size)
        self._screen.blit(surface, (0, 0))
        y = size[1] - int(BAR * self.scale) + 6
        for line in (status, hint):
            self._screen.blit(self._font.render(line, True, TEXT), (8, y))
            y += 22
        pg.display.flip()
        self.last_frame = pg.surfarray.array3d(self._screen).transpose(1, 0, 2)


def _meaning(pg, key: int):
    """An Answer, "replay", "pause", or None for a key with no meaning."""
    table = {pg.K_LEFT: Answer("label", 1.0), pg.K_RIGHT: Answer("label", 0.0), pg.K_DOWN: Answer("label", 0.5),
             pg.K_EQUALS: Answer("label", 0.5), pg.K_SPACE: Answer("label", None), pg.K_BACKSPACE: Answer("undo"),
             pg.K_r: "replay", pg.K_ESCAPE: "pause"}
    return table.get(key)
