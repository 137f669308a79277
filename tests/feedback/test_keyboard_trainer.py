"""A person trains TAMER from the keyboard: + and - presses become time-stamped signals, driven
headless by posting pygame key events (SDL's dummy driver) and read against a scripted clock."""

import json

import gymnasium as gym
import pygame
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.cli import main
from rlhf_gym.feedback.keyboard_trainer import KeyboardTrainer, TrainerQuit
from rlhf_gym.feedback.simulated_trainer import Signal
from rlhf_gym.rendering import FrameWindow


def press(*keys):
    pygame.display.init()
    for key in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))


class Clock:
    """Advances 0.1 s every time it is read: the times of key presses are known in advance."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        self.now += 0.1
        return self.now


def test_plus_and_minus_become_signals_at_the_time_they_were_pressed():
    env = gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    window = FrameWindow(fps=1000)
    trainer = KeyboardTrainer(window, seconds_per_step=1.0, clock=Clock())
    trainer.begin_episode()
    press(pygame.K_PLUS, pygame.K_x, pygame.K_MINUS)  # x means nothing
    trainer.watch(env, obs, 0, time=0.0)  # shown from t=0 until t=1: keys read on the first frame, at t=0.1
    press(pygame.K_KP_MINUS)
    trainer.watch(env, obs, 1, time=1.0)
    assert trainer.signals(until=1.0) == [Signal(pytest.approx(0.1), 1.0), Signal(pytest.approx(0.1), -1.0)]
    (late,) = trainer.signals(until=None)
    assert late.value == -1.0 and 1.0 < late.time < 1.2 and trainer.signals(until=None) == []
    press(pygame.K_ESCAPE)
    with pytest.raises(TrainerQuit, match="after 3 signals"):
        trainer.watch(env, obs, 2, time=2.0)
    window.close()


def test_tamer_command_learns_from_a_person_and_saves_what_escape_interrupts(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["tamer", "--env", "rlhf_gym/GridWorld-v0", "--trainer", "human", "--episodes", "2",
            "--seconds-per-step", "0.002", "--out", str(out)]
    press(pygame.K_PLUS, pygame.K_PLUS, pygame.K_MINUS)
    assert main([*argv[:6], "1", *argv[7:]]) == 0
    res = json.loads((out / "results.json").read_text())
    assert res["trainer"] == "human" and len(res["episode_returns"]) == 1 and res["labels_used"] == 3
    press(pygame.K_ESCAPE)
    assert main([*argv, "--resume"]) == 0  # the second episode is stopped at once
    assert "stopped by the trainer" in capsys.readouterr().out
    assert len(json.loads((out / "results.json").read_text())["episode_returns"]) == 1
    assert (out / "tamer_weights.npz").exists()
