"""Headless test setup: SDL draws to a dummy video/audio driver, torch uses one thread."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import torch  # noqa: E402

torch.set_num_threads(1)  # what every number in the docs was measured with; small nets gain nothing from more
