"""Pictures of a GridWorld, built as numpy arrays: env frames, value heat maps with policy arrows.

Frames are plain ``(H, W, 3) uint8`` arrays so that ``rgb_array`` rendering, observation images and
saved figures need no display. Only ``HumanWindow`` touches pygame, and only when first shown.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.gridworld.layouts import GOAL, LAVA, OBJECT_CHARS, START, WALL, GridLayout
from rlhf_gym.rendering.frame_window import FrameWindow

# Palette rows: 0 wall, 1 floor, 2 start, 3 goal, 4 lava, 5.. object colours a..z.
_BASE_COLOURS = [(40, 40, 48), (225, 225, 218), (200, 214, 235), (60, 180, 75), (235, 90, 20)]
_OBJECT_COLOURS = [
    (230, 25, 75), (0, 130, 200), (255, 225, 25), (145, 30, 180), (70, 240, 240), (240, 50, 230),
    (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255), (170, 110, 40), (255, 250, 200),
    (128, 0, 0), (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128), (128, 128, 128),
    (255, 127, 80), (100, 149, 237), (189, 183, 107), (199, 21, 133), (85, 107, 47), (176, 196, 222),
    (139, 69, 19), (0, 191, 255),
]
PALETTE = np.array(_BASE_COLOURS + _OBJECT_COLOURS, dtype=np.uint8)
# The agent's colour in observation images: no palette entry uses it, so it can be found by value.
AGENT_OBS_COLOUR = np.array([255, 0, 255], dtype=np.uint8)
AGENT_FRAME_COLOUR = np.array([30, 60, 220], dtype=np.uint8)
assert not (PALETTE == AGENT_OBS_COLOUR).all(axis=1).any()

# Anchors of a viridis-like colour map for value heat maps (low -> high).
_HEAT_ANCHORS = np.array(
    [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], dtype=np.float64
)
MIN_ARROW_PX = 7  # below this many pixels per cell arrows are unreadable, so they are left out


def palette_codes(layout: GridLayout) -> np.ndarray:
    """(rows, cols) palette index per cell."""
    chars = layout.chars
    codes = np.ones(chars.shape, dtype=np.int64)
    codes[chars == WALL] = 0
    codes[chars == START] = 2
    codes[chars == GOAL] = 3
    codes[chars == LAVA] = 4
    for k, ch in enumerate(OBJECT_CHARS):
        codes[chars == ch] = 5 + k
    return codes


def default_cell_px(rows: int, cols: int, target: int = 512, max_px: int = 48) -> int:
    """Pixels per cell so the whole grid is about ``target`` pixels on its long side."""
    return int(max(1, min(max_px, target // max(rows, cols))))


def upscale(cells: np.ndarray, cell_px: int) -> np.ndarray:
    """Blow each cell of a (rows, cols, 3) image up to a ``cell_px`` square."""
    if cell_px == 1:
        return np.ascontiguousarray(cells)
    return np.repeat(np.repeat(cells, cell_px, axis=0), cell_px, axis=1)


def grid_image(layout: GridLayout, cell_px: int) -> np.ndarray:
    """The static map (no agent) as an (rows*cell_px, cols*cell_px, 3) uint8 image."""
    return upscale(PALETTE[palette_codes(layout)], cell_px)


def disc_mask(cell_px: int, radius: float = 0.36) -> np.ndarray:
    """Boolean (cell_px, cell_px) mask of a centred disc; the whole cell when cells are tiny."""
    if cell_px < 3:
        return np.ones((cell_px, cell_px), dtype=bool)
    centre = (cell_px - 1) / 2.0
    y, x = np.mgrid[0:cell_px, 0:cell_px]
    return (y - centre) ** 2 + (x - centre) ** 2 <= (radius * cell_px) ** 2


def paint_cell(image: np.ndarray, row: int, col: int, cell_px: int, colour, mask=None) -> None:
    """Colour one cell of an image in place (the whole square, or the pixels of ``mask``)."""
    block = image[row * cell_px:(row + 1) * cell_px, col * cell_px:(col + 1) * cell_px]
    if mask is None:
        block[...] = colour
    else:
        block[mask] = colour


def arrow_masks(cell_px: int) -> list[np.ndarray]:
    """Masks for up, right, down, left arrows and a 'stay' dot, rasterised in a cell."""
    p = cell_px
    centre = (p - 1) / 2.0
    y, x = np.mgrid[0:p, 0:p].astype(np.float64)
    tip, base, half = 0.12 * p, 0.48 * p, 0.30 * p
    head = (y >= tip) & (y <= base) & (np.abs(x - centre) <= (y - tip) / (base - tip) * half)
    shaft = (np.abs(x - centre) <= max(0.5, 0.07 * p)) & (y >= base - 1) & (y <= 0.86 * p)
    up = head | shaft
    stay = (y - centre) ** 2 + (x - centre) ** 2 <= (0.14 * p) ** 2
    return [up, np.rot90(up, k=-1), np.rot90(up, k=2), np.rot90(up, k=1), stay]


def heat_colours(values: np.ndarray) -> np.ndarray:
    """Map values to (N, 3) uint8 colours, min -> dark purple, max -> yellow."""
    lo, hi = float(np.min(values)), float(np.max(values))
    t = np.full(values.shape, 0.5) if hi <= lo else (values - lo) / (hi - lo)
    pos = t * (len(_HEAT_ANCHORS) - 1)
    i = np.minimum(pos.astype(np.int64), len(_HEAT_ANCHORS) - 2)
    w = (pos - i)[:, None]
    return np.round(_HEAT_ANCHORS[i] * (1 - w) + _HEAT_ANCHORS[i + 1] * w).astype(np.uint8)


def render_values(env, values, policy=None, cell_px: int | None = None) -> np.ndarray:
    """A heat map of per-state ``values`` (S,) with optional ``policy`` (S,) arrows, as an RGB frame.

    Walls and terminal cells (goal, lava) keep their map colours; the colour scale spans the
    values of the other states. Arrows (up/right/down/left, a dot for stay) are drawn in black
    or white, whichever reads better on the cell, and only when cells are at least
    ``MIN_ARROW_PX`` pixels: big grids get a plain heat map at a small cell size.
    """
    base = env.unwrapped
    n_states = base.n_states
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (n_states,) or not np.all(np.isfinite(values)):
        raise ValueError(
            f"values has shape {values.shape}; allowed: a finite array of shape ({n_states},), one per state"
        )
    layout = base.layout
    rows, cols = layout.rows, layout.cols
    px = default_cell_px(rows, cols) if cell_px is None else cell_px
    if isinstance(px, bool) or not isinstance(px, (int, np.integer)) or px < 1:
        raise ValueError(f"cell_px={cell_px!r} is not allowed; allowed: an int >= 1 or None")
    cells = PALETTE[palette_codes(layout)].copy()
    live = ~np.asarray(base.terminal_states)  # terminal cells keep their map colour: V = 0 there
    heat = np.zeros((n_states, 3), dtype=np.uint8)
    if live.any():
        heat[live] = heat_colours(values[live])
    r, c = base.state_cells[:, 0], base.state_cells[:, 1]
    cells[r[live], c[live]] = heat[live]
    frame = upscale(cells, px)
    if policy is None or px < MIN_ARROW_PX:
        if policy is not None:
            _check_policy(policy, base)
        return frame
    policy = _check_policy(policy, base)
    dark = heat.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) > 140
    ink = np.where(dark[:, None], 0, 255).astype(np.uint8)
    view = frame.reshape(rows, px, cols, px, 3).transpose(0, 2, 1, 3, 4)
    for a, mask in enumerate(arrow_masks(px)[: base.n_actions]):
        sel = np.nonzero((policy == a) & live)[0]
        if sel.size == 0:
            continue
        blocks = view[r[sel], c[sel]]
        blocks[:, mask, :] = ink[sel][:, None, :]
        view[r[sel], c[sel]] = blocks
    return frame


def _check_policy(policy, base) -> np.ndarray:
    policy = np.asarray(policy)
    if (policy.shape != (base.n_states,) or not np.issubdtype(policy.dtype, np.integer)
            or (policy.size and (policy.min() < 0 or policy.max() >= base.n_actions))):
        raise ValueError(
            f"policy has shape {policy.shape} and dtype {policy.dtype}; allowed: integer actions in "
            f"[0, {base.n_actions}) of shape ({base.n_states},)"
        )
    return policy


def save_png(frame, path) -> None:
    """Write an (H, W, 3) uint8 frame to ``path`` as PNG."""
    import imageio.v3 as iio

    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(
            f"frame has shape {frame.shape} and dtype {frame.dtype}; allowed: (H, W, 3) uint8"
        )
    iio.imwrite(path, frame, extension=".png")


# Shown through the package-wide window, so every env shows frames the same way.
HumanWindow = FrameWindow


__all__ = [
    "AGENT_OBS_COLOUR", "HumanWindow", "PALETTE", "arrow_masks", "default_cell_px", "grid_image",
    "heat_colours", "palette_codes", "render_values", "save_png",
]
