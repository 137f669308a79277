"""Numpy drawing of a Backflip frame (no display needed, so ``rgb_array`` works headless).

Each shape is rasterised inside its own bounding box with a vectorised test
(distance to a segment, inside an ellipse), which is fast enough for 25 fps and
keeps pygame out of everything but the ``human`` window.
"""

from __future__ import annotations

import math

import numpy as np

from rlhf_gym.envs.backflip import physics as phys

SKY = (226, 236, 248)
GROUND = (120, 98, 72)
GRASS = (86, 140, 70)
BODY = (52, 98, 196)
BODY_CRASHED = (196, 60, 52)
HEAD = (250, 210, 80)
LEG = (60, 60, 66)
FOOT = (30, 30, 30)
TRAIL = np.array((150, 170, 230), dtype=np.float64)
VIEW_HEIGHT_M = 3.4  # metres of world shown above the ground line


def _box(img, cx, cy, reach):
    h, w = img.shape[:2]
    x0, x1 = max(int(cx - reach) - 1, 0), min(int(cx + reach) + 2, w)
    y0, y1 = max(int(cy - reach) - 1, 0), min(int(cy + reach) + 2, h)
    if x0 >= x1 or y0 >= y1:
        return None
    ys, xs = np.mgrid[y0:y1, x0:x1]
    return y0, y1, x0, x1, xs + 0.5, ys + 0.5


def _paint(img, box, mask, color):
    y0, y1, x0, x1 = box[:4]
    img[y0:y1, x0:x1][mask] = color


def disk(img, cx, cy, radius, color):
    box = _box(img, cx, cy, radius)
    if box is not None:
        _paint(img, box, (box[4] - cx) ** 2 + (box[5] - cy) ** 2 <= radius * radius, color)


def segment(img, p, q, half_width, color):
    """Thick line from p to q (pixel coordinates)."""
    (px, py), (qx, qy) = p, q
    cx, cy = 0.5 * (px + qx), 0.5 * (py + qy)
    reach = 0.5 * math.hypot(qx - px, qy - py) + half_width
    box = _box(img, cx, cy, reach)
    if box is None:
        return
    xs, ys = box[4], box[5]
    dx, dy = qx - px, qy - py
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        t = np.zeros_like(xs)
    else:
        t = np.clip(((xs - px) * dx + (ys - py) * dy) / length2, 0.0, 1.0)
    dist2 = (xs - px - t * dx) ** 2 + (ys - py - t * dy) ** 2
    _paint(img, box, dist2 <= half_width * half_width, color)


def ellipse(img, cx, cy, along, across, ux, uy, color):
    """Filled ellipse with semi-axis ``along`` in pixel direction (ux, uy)."""
    box = _box(img, cx, cy, max(along, across))
    if box is None:
        return
    rx, ry = box[4] - cx, box[5] - cy
    a = (rx * ux + ry * uy) / along
    b = (-rx * uy + ry * ux) / across
    _paint(img, box, a * a + b * b <= 1.0, color)


def draw_frame(state: phys.PogoState, trail, width: int, height: int,
               flips: int = 0, crashed: bool = False) -> np.ndarray:
    """Return an (height, width, 3) uint8 picture of ``state``; the camera follows x."""
    img = np.empty((height, width, 3), dtype=np.uint8)
    ground_row = int(height * 0.88)
    scale = ground_row / VIEW_HEIGHT_M  # pixels per metre
    cam_x = state.x

    def to_px(x, y):
        return width * 0.5 + (x - cam_x) * scale, ground_row - y * scale

    img[:ground_row] = SKY
    img[ground_row:] = GROUND
    img[ground_row:ground_row + 3] = GRASS
    # Ground ticks every half metre, so horizontal motion is visible.
    first = math.floor((cam_x - width * 0.5 / scale) * 2.0) / 2.0
    tick = first
    while tick <= cam_x + width * 0.5 / scale:
        col = int(round(to_px(tick, 0.0)[0]))
        if 0 <= col < width:
            img[ground_row + 3:ground_row + 9, max(col - 1, 0):col + 1] = GRASS
        tick += 0.5

    n = len(trail)
    for i, (tx, ty) in enumerate(trail):
        fade = (i + 1) / (n + 1)
        color = (SKY + (TRAIL - SKY) * fade).astype(np.uint8)
        disk(img, *to_px(tx, ty), 2.0 + 3.0 * fade, color)

    hip = to_px(state.x, state.y)
    fx, fy, _ = state.leg()
    foot = to_px(fx, max(fy, 0.0) if state.contact else fy)
    segment(img, hip, foot, max(2.0, 0.025 * scale), LEG)
    if state.contact:
        half = phys.FOOT_HALF * 0.5 * scale
        segment(img, (foot[0] - half, foot[1]), (foot[0] + half, foot[1]),
                max(2.0, 0.02 * scale), FOOT)
    else:
        disk(img, *foot, max(2.5, 0.035 * scale), FOOT)

    # Body axis in pixels: world up-axis (-sin, cos) with the y flip of the screen.
    ux, uy = -math.sin(state.theta), -math.cos(state.theta)
    ellipse(img, hip[0], hip[1], phys.BODY_HALF_LEN * scale, phys.BODY_HALF_WIDTH * scale,
            ux, uy, BODY_CRASHED if crashed else BODY)
    head_off = 0.65 * phys.BODY_HALF_LEN * scale
    disk(img, hip[0] + ux * head_off, hip[1] + uy * head_off,
         0.45 * phys.BODY_HALF_WIDTH * scale, HEAD)
    # One small marker per completed flip in the top-left corner.
    for k in range(min(flips, 8)):
        disk(img, 14 + 16 * k, 14, 5, (40, 160, 60))
    return img
