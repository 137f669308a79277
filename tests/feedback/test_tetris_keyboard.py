"""A person as DAgger's expert on Tetris, driven headless by posting pygame key events: the ghost piece
moves where the keys say, the saved answers are exactly the placements chosen, a state is asked once,
escape keeps what was answered, and a learner trained on scripted answers places like the expert."""

import json

import gymnasium as gym
import numpy as np
import pygame
import pytest
from stable_baselines3 import PPO

import rlhf_gym  # noqa: F401
from rlhf_gym.cli import main
from rlhf_gym.envs.tetris import pieces as pc
from rlhf_gym.experts import expert_for
from rlhf_gym.feedback import keyboard_expert as ke
from rlhf_gym.feedback import tetris_overlay as overlay
from rlhf_gym.feedback.tetris_keys import TetrisKeys
from rlhf_gym.rendering import FrameWindow

BOARD = ["." * 10] * 17 + ["#.........", "##....#...", "###..##.##"]  # heights 3 2 1 0 0 1 2 0 1 1


def press(*keys):
    pygame.display.init()
    for key in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))


def tetris(**kwargs):
    env = gym.make("rlhf_gym/Tetris-v0", render_mode="rgb_array", **kwargs)
    env.reset(seed=0)
    return env


def test_ghost_lands_where_the_env_places_and_hints_show():
    env = tetris()
    env.unwrapped.set_board(BOARD, piece="T")
    keys = TetrisKeys()
    keys.begin(env, 9)  # T is 3 wide: column 9 shifts back to 7, as in the env
    assert (keys.rotation, keys.column, keys.action) == (0, 7, 7)
    first = keys.frame()
    cell, top = env.unwrapped.cell_size, 20 * env.unwrapped.cell_size
    hint_rows = slice(top + 2 + 3 * 7 * 2, top + 2 + 3 * 7 * 2 + 10)  # the strip's 4th text line at scale 2
    assert not (first[hint_rows] == overlay.HINT).all(axis=2).any()
    rows, cols = overlay.placement_cells(env.unwrapped.board, pc.PIECE_NAMES.index("T"), 7)
    assert sorted(zip(rows.tolist(), cols.tolist())) == sorted([(1, 7), (1, 8), (1, 9), (2, 8)])
    for y, x in zip(rows, cols):  # each ghost cell is outlined in T's colour
        assert tuple(first[(19 - y) * cell, x * cell]) == pc.PIECE_COLOURS[pc.PIECE_NAMES.index("T")]
    assert keys.press(pygame.K_x) is None and "means nothing" in keys.hint
    assert (keys.frame()[hint_rows] == overlay.HINT).all(axis=2).any()  # the hint is on the picture
    for key in (pygame.K_UP, pygame.K_LEFT, pygame.K_LEFT):
        assert keys.press(key) is None
    assert keys.action == 15 and keys.hint == ""
    moved = keys.frame()
    for y, x in zip(rows, cols):  # the learner's placement keeps a white mark once the ghost has left it
        assert tuple(moved[(19 - y) * cell + cell // 2, x * cell + cell // 2]) == overlay.LEARNER_MARK
    assert keys.press(pygame.K_RETURN) == 15
    expected = overlay.placement_cells(env.unwrapped.board, pc.PIECE_NAMES.index("T"), 15)
    before = env.unwrapped.board > 0
    env.step(15)
    new = np.argwhere((env.unwrapped.board > 0) & ~before)  # (row from the top, column)
    assert sorted((19 - r, c) for r, c in new.tolist()) == sorted(zip(expected[0].tolist(), expected[1].tolist()))
    env.unwrapped.set_board(BOARD, piece="O")
    keys.begin(env, None)  # no learner: the spawn column
    assert keys.action == 4 and keys.press(pygame.K_UP) is None and "one shape" in keys.hint
    assert [keys.press(pygame.K_RIGHT) for _ in range(5)] == [None] * 5 and keys.column == 8
    assert "right wall" in keys.hint


def test_scripted_keys_save_exactly_the_placements_and_each_state_is_asked_once(tmp_path):
    env = tetris()
    base = env.unwrapped
    path = tmp_path / "answers.jsonl"
    expert = ke.KeyboardExpert(env, path, window=FrameWindow(fps=1000))
    assert isinstance(expert.key_map, TetrisKeys)
    press(pygame.K_x, pygame.K_UP, pygame.K_LEFT, pygame.K_LEFT, pygame.K_RETURN,  # T: rot 1 col 5 = 15
          pygame.K_UP, pygame.K_RIGHT, pygame.K_SPACE,  # O from the spawn column 4: col 5 = 5
          pygame.K_UP, pygame.K_UP, pygame.K_BACKSPACE, pygame.K_RIGHT, pygame.K_KP_ENTER)  # I: 23 is col 3 -> 4
    states, learner = [], [9, None, 23]
    obs = base.set_board(BOARD, piece="T", next_piece="O")
    for k, action in enumerate(learner):
        if k == 2:
            obs = base.set_board(base.board, piece="I")
        states.append(obs)
        expert.learner_action = action
        answer = expert(obs)
        obs, *_ = env.step(answer)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["action"] for r in records] == [15, 5, 4] and expert.asked == 3
    assert [r["learner_action"] for r in records] == learner and {r["source"] for r in records} == {"human"}
    assert expert(states[0]) == 15 and expert.asked == 3  # answered from memory: no key needed
    expert.window.close()
    later = ke.KeyboardExpert(env, path, window=FrameWindow(fps=1000))  # a new session remembers
    assert [later(s) for s in states] == [15, 5, 4] and later.asked == 0
    press(pygame.K_RIGHT, pygame.K_ESCAPE)
    with pytest.raises(ke.ExpertQuit, match="stopped after 0 answers"):
        later(obs)
    later.window.close()
    assert len(path.read_text().splitlines()) == 3  # escape kept every answer


class ScriptedPerson(ke.KeyboardExpert):
    """Presses, one key per frame as a person would, the keys that take the ghost to the scripted expert's
    placement; ``stop_after`` answers, escape instead."""

    stop_after = None

    def __init__(self, env, answers_path, window=None, key_map=None):
        super().__init__(env, answers_path, window=FrameWindow(fps=10_000), key_map=key_map)
        self.scripted, self.expected, self.frames = expert_for(env), [], 0
        show = self.window.show

        def show_and_press(frame):
            self.frames += 1
            keys = self.key_map
            if self.asked == self.stop_after:
                key = pygame.K_ESCAPE
            elif keys.rotation != self.target // 10:
                key = pygame.K_UP
            elif keys.column != self.target % 10:
                key = pygame.K_RIGHT if keys.column < self.target % 10 else pygame.K_LEFT
            else:
                key = pygame.K_RETURN
            press(key)
            show(frame)

        self.window.show = show_and_press

    def __call__(self, obs):
        self.target = int(self.scripted.predict(obs)[0][()])
        asked = self.asked
        answer = super().__call__(obs)
        if self.asked > asked:
            self.expected.append(self.target)
        return answer


def test_imitate_dagger_on_tetris_learns_the_persons_placements(tmp_path, monkeypatch):
    people = []

    class Person(ScriptedPerson):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            people.append(self)

    monkeypatch.setattr(ke, "KeyboardExpert", Person)
    out = tmp_path / "run"
    assert main(["imitate", "--method", "dagger", "--expert", "human", "--env", "rlhf_gym/Tetris-v0",
                 "--env-kwargs", '{"max_pieces": 50}', "--rounds", "4", "--episodes-per-round", "1", "--ask-once",
                 "--eval-episodes", "1", "--seed", "0", "--out", str(out)]) == 0
    (person,) = people
    records = [json.loads(line) for line in (out / "expert_answers.jsonl").read_text().splitlines()]
    res = json.loads((out / "results.json").read_text())
    assert res["labels_used"] == len(records) == len(person.expected) >= 80
    assert [r["action"] for r in records] == person.expected  # exactly the placements the keys chose
    assert len({json.dumps(r["obs"]) for r in records}) == len(records)  # asked once per state
    assert sum(r["learner_action"] is not None for r in records) == len(records)
    # Held out: 300 positions of games the expert plays from seeds the run never saw.
    model = PPO.load(out / "model.zip", device="cpu")
    env = gym.make("rlhf_gym/Tetris-v0")
    expert = expert_for(env)
    obs, _ = env.reset(seed=1_000)
    agree, chance = 0, 0.0
    for _ in range(300):
        placement = pc.ACTION_PLACEMENT[env.unwrapped.piece]
        best = placement[int(expert.predict(obs)[0])]
        agree += placement[int(model.predict(obs, deterministic=True)[0])] == best
        chance += float(np.mean(placement == best))  # a uniformly random action's chance to place the same way
        obs, _, terminated, truncated, _ = env.step(expert.predict(obs)[0])
        assert not (terminated or truncated)
    print(f"held-out agreement with the expert: learner {agree / 300:.3f}, random {chance / 300:.3f}")
    assert agree / 300 > 1.5 * chance / 300, (agree / 300, chance / 300)


def test_escape_in_imitate_keeps_the_answers(tmp_path, monkeypatch, capsys):
    class Person(ScriptedPerson):
        stop_after = 3

    monkeypatch.setattr(ke, "KeyboardExpert", Person)
    out = tmp_path / "run"
    assert main(["imitate", "--method", "dagger", "--expert", "human", "--env", "rlhf_gym/Tetris-v0",
                 "--env-kwargs", '{"max_pieces": 20}', "--rounds", "2", "--out", str(out)]) == 0
    assert "stopped after 3 answers" in capsys.readouterr().out
    assert len((out / "expert_answers.jsonl").read_text().splitlines()) == 3
    assert not (out / "results.json").exists()
