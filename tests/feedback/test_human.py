"""A person's answers through the comparison window, driven headless by posting pygame key events
(SDL's dummy driver): each key gives exactly its record on disk, undo takes one back, a killed
session loses nothing and the same command resumes at the next pair."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import gymnasium as gym
import numpy as np
import pygame
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.cli import main
from rlhf_gym.data.rollouts import collect_segments
from rlhf_gym.feedback import LabelStore
from rlhf_gym.feedback.comparison_window import ComparisonWindow
from rlhf_gym.feedback.human import HumanTeacher, PersonQuit

GRID = "rlhf_gym/GridWorld-v0"
K = {"left": pygame.K_LEFT, "right": pygame.K_RIGHT, "down": pygame.K_DOWN, "=": pygame.K_EQUALS,
     "space": pygame.K_SPACE, "back": pygame.K_BACKSPACE, "esc": pygame.K_ESCAPE, "r": pygame.K_r, "x": pygame.K_x}


def press(*keys):
    """Queue key presses for the window (the display must be up for pygame's event queue)."""
    pygame.display.init()
    for key in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=K[key]))


def clips(n_pairs, seed=0, length=6):
    env = gym.make(GRID, render_mode="rgb_array")
    segs = collect_segments(env, 2 * n_pairs, length, np.random.default_rng(seed), with_frames=True)
    return [(segs[2 * i], segs[2 * i + 1]) for i in range(n_pairs)]


@pytest.fixture()
def teacher(tmp_path):
    window = ComparisonWindow(fps=1000)
    yield HumanTeacher(LabelStore(tmp_path / "labels.jsonl"), window, total=6)
    window.close()


def test_each_key_gives_its_record_on_disk_ties_and_skips_included(teacher, tmp_path):
    press("x", "left", "right", "r", "down", "=", "space")  # x means nothing; r replays
    pairs = clips(5)
    assert teacher.label_pairs(pairs) == [1.0, 0.0, 0.5, 0.5, None]
    records = LabelStore(tmp_path / "labels.jsonl").records  # reopened from disk
    assert [r["label"] for r in records] == [1.0, 0.0, 0.5, 0.5, None]
    assert all(r["source"] == "human" and r["teacher"] == "human" and r["seconds"] >= 0 for r in records)
    stored = LabelStore(tmp_path / "labels.jsonl").segments[records[0]["left"]]
    assert np.array_equal(stored.obs, pairs[0][0].obs) and stored.frames is None  # frames are not kept


def test_undo_takes_back_the_last_answer_and_asks_its_pair_again(teacher, tmp_path):
    press("left", "back", "right", "down")
    assert teacher.label_pairs(clips(2)) == [0.0, 0.5]
    assert [r["label"] for r in LabelStore(tmp_path / "labels.jsonl").records] == [0.0, 0.5]


def test_escape_pauses_and_a_second_escape_quits_with_every_answer_saved(teacher, tmp_path):
    press("left", "esc", "right", "esc", "esc")
    with pytest.raises(PersonQuit, match="stopped after 2 answers"):
        teacher.label_pairs(clips(3))
    assert [r["label"] for r in LabelStore(tmp_path / "labels.jsonl").records] == [1.0, 0.0]


def test_the_window_shows_both_clips_side_by_side(teacher):
    (left, right), = clips(1, seed=3)
    press("left")
    teacher.label_pairs([(left, right)])
    frame = teacher.window.last_frame
    w = left.frames.shape[2]
    h = left.frames.shape[1]
    shown_left, shown_right = frame[:h, :w], frame[:h, -w:]
    assert np.array_equal(shown_left, left.frames[0]) and np.array_equal(shown_right, right.frames[0])
    assert not np.array_equal(shown_left, shown_right)  # two different clips (the agent is elsewhere)


LABEL = ["label", "--env", GRID, "--pairs", "5", "--segment-length", "6", "--seed", "2", "--fps", "1000"]


def test_a_killed_session_loses_no_answer_and_the_same_command_resumes(tmp_path):
    out = tmp_path / "labels.jsonl"
    child = textwrap.dedent(f"""
        import os, sys, pygame
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        pygame.display.init()
        for key in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_DOWN):  # three answers, then it waits for keys
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))
        from rlhf_gym.cli import main
        main({LABEL + ["--out", str(out)]!r})
    """)
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    proc = subprocess.Popen([sys.executable, "-c", child], env=env)
    deadline = time.time() + 60
    while time.time() < deadline and not (out.exists() and len(out.read_text().strip().splitlines()) >= 3):
        time.sleep(0.2)
    time.sleep(0.5)  # it is now waiting for a fourth key
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert [r["label"] for r in LabelStore(out).records] == [1.0, 0.0, 0.5]
    press("space", "left")
    assert main([*LABEL, "--out", str(out)]) == 0  # goes on at pair 4 of 5
    records = LabelStore(out).records
    assert [r["label"] for r in records] == [1.0, 0.0, 0.5, None, 1.0]
    # The resumed pairs are the ones a single session would have shown: pair 4 = seed (2, 3).
    from rlhf_gym.commands.label import pair_clips

    left, right = pair_clips(gym.make(GRID, render_mode="rgb_array"), None, 3, 6, 2)
    assert np.array_equal(LabelStore(out).segments[records[3]["left"]].obs, left.obs)
    summary = json.loads((tmp_path / "labels.summary.json").read_text())
    assert summary["answers"] == 5 and summary["labels"] == 4 and summary["skipped"] == 1
    assert summary["labels_per_minute"] > 0 and 0.0 <= summary.get("agreement_with_exact_teacher", 0.0) <= 1.0


def test_labels_from_the_window_train_a_reward_of_their_own_env_only(tmp_path, capsys):
    out = tmp_path / "labels.jsonl"
    press(*["left"] * 4)
    assert main([*LABEL[:4], "4", *LABEL[5:], "--out", str(out)]) == 0
    assert main(["train", "--env", GRID, "--feedback", "file", "--labels-file", str(out), "--steps", "512",
                 "--eval-episodes", "1", "--out", str(tmp_path / "run")]) == 0
    assert json.loads((tmp_path / "run" / "results.json").read_text())["labels_used"] == 4
    # The file knows its env: GridWorld's answers do not train a LavaMaze reward.
    assert main(["train", "--env", "rlhf_gym/LavaMaze-v0", "--feedback", "file", "--labels-file", str(out),
                 "--steps", "512", "--out", str(tmp_path / "other")]) == 2
    assert "rlhf_gym/GridWorld-v0" in capsys.readouterr().err


@pytest.mark.parametrize("argv, fragment", [
    (["--pairs", "0"], "--pairs: 0; allowed: an integer >= 1"),
    (["--policy", "nope.zip"], "--policy: 'nope.zip'; allowed: random, expert, or an existing SB3 model .zip"),
    (["--fps", "-1"], "--fps: -1.0; allowed: a number > 0"),
])
def test_label_bad_input_is_one_line(argv, fragment, tmp_path, capsys):
    base = ["label", "--env", GRID, "--pairs", "2", "--out", str(tmp_path / "l.jsonl")]
    assert main([*base, *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_resuming_with_other_settings_is_refused(tmp_path, capsys):
    out = tmp_path / "l.jsonl"
    press("left", "left")
    assert main([*LABEL[:4], "2", *LABEL[5:], "--out", str(out)]) == 0
    assert main([*LABEL[:4], "2", *LABEL[5:8], "3", *LABEL[9:], "--out", str(out)]) == 2
    assert "--seed: 3, but" in capsys.readouterr().err


def test_a_window_that_cannot_open_says_so_and_points_to_the_dummy_driver(tmp_path):
    code = f"from rlhf_gym.cli import main; import sys; sys.exit(main({LABEL + ['--out', str(tmp_path / 'l.jsonl')]!r}))"
    env = {**os.environ, "SDL_VIDEODRIVER": "no_such_driver"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "the comparison window cannot open" in done.stderr and "SDL_VIDEODRIVER=dummy" in done.stderr
