"""A person as DAgger's expert, driven headless by posting pygame key events: each answer is on disk
as it is given, a state answered once is never asked again (also in a later session)."""

import json

import gymnasium as gym
import pygame
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.cli import main
from rlhf_gym.feedback.keyboard_expert import ExpertQuit, KeyboardExpert
from rlhf_gym.rendering import FrameWindow


def press(*keys):
    pygame.display.init()
    for key in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))


def test_each_answer_is_saved_and_a_state_is_asked_once(tmp_path):
    env = gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    path = tmp_path / "answers.jsonl"
    expert = KeyboardExpert(env, path, window=FrameWindow(fps=1000))
    press(pygame.K_x, pygame.K_RIGHT)  # x means nothing
    expert.learner_action = 2
    assert expert(obs) == 1 and expert.asked == 1
    (record,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert record["action"] == 1 and record["learner_action"] == 2 and record["source"] == "human"
    assert expert(obs) == 1 and expert.asked == 1  # answered from memory: no key needed
    expert.window.close()
    later = KeyboardExpert(env, path, window=FrameWindow(fps=1000))  # a new session remembers
    assert later(obs) == 1 and later.asked == 0
    nxt, *_ = env.step(1)
    press(pygame.K_ESCAPE)
    with pytest.raises(ExpertQuit, match="stopped after 0 answers"):
        later(nxt)
    later.window.close()


def test_imitate_dagger_with_a_person_at_the_keyboard(tmp_path):
    out = tmp_path / "run"
    press(*[pygame.K_RIGHT, pygame.K_DOWN] * 150)  # typed ahead: the answers of the states to come
    assert main(["imitate", "--method", "dagger", "--expert", "human", "--env", "rlhf_gym/GridWorld-v0",
                 "--rounds", "2", "--episodes-per-round", "1", "--ask-once", "--eval-episodes", "2",
                 "--out", str(out)]) == 0
    res = json.loads((out / "results.json").read_text())
    answers = (out / "expert_answers.jsonl").read_text().splitlines()
    assert res["labels_used"] == len(answers) > 0
    states = {json.dumps(json.loads(a)["obs"]) for a in answers}
    assert len(states) == len(answers)  # asked once per state


@pytest.mark.parametrize("argv, fragment", [
    (["--method", "bc"], "--expert: human with --method bc; allowed only with --method dagger"),
    (["--method", "dagger", "--env", "rlhf_gym/Backflip-v0"], "--expert: human on rlhf_gym/Backflip-v0; allowed"),
    (["--method", "dagger", "--env", "CartPole-v1"], "--expert: human on CartPole-v1; allowed: GridWorld-family envs "
     "(arrow keys) or rlhf_gym/Tetris-v0 (a ghost piece moved with the arrow keys)"),
])
def test_expert_human_bad_input(argv, fragment, tmp_path, capsys):
    assert main(["imitate", "--expert", "human", *argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1  # one line
    assert not (tmp_path / "r").exists()  # refused before the run folder is made
