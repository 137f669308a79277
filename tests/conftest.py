"""Headless test setup: SDL draws to a dummy video/audio driver, torch uses one thread."""

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import torch  # noqa: E402

torch.set_num_threads(1)  # what every number in the docs was measured with; small nets gain nothing from more


def _read_xwd(data: bytes) -> np.ndarray:
    """Decode a 24- or 32-bit TrueColor XWD screenshot (``xwd -root``) into (H, W, 3) uint8."""
    header = np.frombuffer(data[:100], dtype=">u4")
    header_size, width, height = int(header[0]), int(header[4]), int(header[5])
    bits_per_pixel, bytes_per_line, ncolors = int(header[11]), int(header[12]), int(header[19])
    assert bits_per_pixel in (24, 32), bits_per_pixel
    step = bits_per_pixel // 8
    start = header_size + 12 * ncolors
    raw = np.frombuffer(data[start:start + bytes_per_line * height], dtype=np.uint8)
    pixels = raw.reshape(height, bytes_per_line)[:, : width * step].reshape(height, width, step)
    return pixels[..., [2, 1, 0]] if int(header[7]) == 0 else pixels[..., [step - 3, step - 2, step - 1]]


@pytest.fixture()
def read_xwd():
    """The XWD decoder, for the tests that screenshot a real window on Xvfb."""
    return _read_xwd


@pytest.fixture()
def xvfb_display():
    """A fresh Xvfb screen (1024x768x24) on the first free display number; its name, e.g. ":90"."""
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                  and not Path(f"/tmp/.X{n}-lock").exists())
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


SMALL_LAYOUT = ["#######", "#S...L#", "#.#...#", "#..L..#", "#....G#", "#######"]


@pytest.fixture()
def small_env():
    """A 4x5 GridWorld with two lava cells, for planners and inverse RL: ``small_env(slip=0.2, **kwargs)``."""
    import gymnasium as gym

    import rlhf_gym  # noqa: F401  (registers the envs)

    return lambda slip=0.2, **kwargs: gym.make("rlhf_gym/GridWorld-v0", layout=SMALL_LAYOUT, slip=slip, **kwargs)
