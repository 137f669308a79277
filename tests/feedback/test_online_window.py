"""The comparison window while a person teaches online: a waiting screen that keeps answer keys for
the next pair and still quits on escape twice, and a question the training's end takes back."""

import gymnasium as gym
import numpy as np
import pygame

import rlhf_gym  # noqa: F401
from rlhf_gym.data.rollouts import collect_segments
from rlhf_gym.feedback.comparison_window import Answer, ComparisonWindow


def post(*keys):
    pygame.display.init()
    for key in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))


def test_waiting_keeps_answer_keys_for_the_next_pair_and_escape_twice_quits():
    left, right = collect_segments(gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array"), 2, 5,
                                   np.random.default_rng(0), with_frames=True)
    window = ComparisonWindow(fps=1000)
    try:
        post(pygame.K_x, pygame.K_LEFT)
        assert window.wait("waiting") is None  # x means nothing and is dropped; the left arrow waits
        assert window.last_frame.shape[:2] == (240 + 56, 2 * 240 + 12)  # the waiting screen before any pair
        assert window.ask(left, right, "pair") == Answer("label", 1.0)
        calls = iter([False, True])  # one frame of the pair, then the training has ended
        assert window.ask(left, right, "pair", should_stop=lambda: next(calls)) == Answer("stop")
        assert window.last_frame.shape[:2] == (left.frames.shape[1] + 56, 2 * left.frames.shape[2] + 12)  # resized
        post(pygame.K_ESCAPE)
        assert window.wait("waiting") is None  # paused
        post(pygame.K_ESCAPE)
        assert window.wait("waiting") == "quit"
        assert window.ask(left, right, "pair", should_stop=lambda: True) == Answer("stop")
    finally:
        window.close()
