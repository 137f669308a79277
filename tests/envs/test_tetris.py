"""Tetris-v0: exact line clears, the edge shift and the mask, bad actions, seeding, game over,
afterstates against stepping (and against plain-Python feature counts), observations and frames."""

import copy
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.envs.tetris import AFTERSTATE_FEATURES, AFTERSTATE_INDEX, N_PLACEMENTS, PIECE_NAMES, TetrisEnv
from rlhf_gym.envs.tetris import pieces as pc
from rlhf_gym.experts.tetris import DELLACHERIE, weight_vector

ENV_ID = "rlhf_gym/Tetris-v0"
EMPTY = "." * 10
WEIGHTS = weight_vector(DELLACHERIE)


def make(**kwargs) -> TetrisEnv:
    env = gym.make(ENV_ID, **kwargs)
    env.reset(seed=0)
    return env


def position(bottom_rows, piece, next_piece="O", **kwargs):
    """An env whose well holds ``bottom_rows`` (top first) at the bottom and whose current piece is ``piece``."""
    env = make(**kwargs)
    env.unwrapped.set_board([EMPTY] * (20 - len(bottom_rows)) + list(bottom_rows), piece, next_piece)
    return env


def test_registered_with_the_documented_spaces():
    env = make()
    assert env.action_space == gym.spaces.Discrete(40)
    assert env.observation_space.shape == (28,) and env.observation_space.dtype == np.float32
    assert env.unwrapped.obs_fields[:2] == ("height_0", "height_1") and env.unwrapped.obs_fields[-1] == "piece_L"
    board = make(obs_type="board")
    assert board.observation_space.shape == (207,)
    assert env.metadata["render_fps"] > 0


@pytest.mark.parametrize("rows, piece, action, lines", [
    # T (spawn orientation, point up) fills the gap of the bottom row: one line.
    (["#.........", "###...####"], "T", 3, 1),
    # O into a two-wide gap at the right: two lines.
    (["########..", "########.."], "O", 8, 2),
    # Vertical I (rotation 1) into the right-hand well: a tetris.
    (["#########."] * 4, "I", 10 + 9, 4),
])
def test_line_clears_pay_exactly(rows, piece, action, lines):
    env = position(["#" + "." * 9] + rows if lines < 4 else rows, piece)
    features, line_counts, _ = env.unwrapped.afterstates()
    before = int((env.unwrapped.board > 0).sum())
    obs, reward, terminated, truncated, info = env.step(action)
    assert reward == float(lines) == info["true_reward"] and isinstance(reward, float)
    assert info["lines"] == lines and line_counts[action] == lines
    assert (env.unwrapped.board > 0).sum() == before + 4 - 10 * lines
    assert features[action, AFTERSTATE_INDEX["eroded_cells"]] == lines * {1: 3, 2: 4, 4: 4}[lines]
    assert not terminated and not truncated
    if lines == 4:  # the well is empty again
        assert not env.unwrapped.board.any() and obs[:21].sum() == 0
    else:  # the cell above the cleared rows came down, the rest of the piece stayed
        assert env.unwrapped.board[20 - (len(rows) + 1) + lines, 0] > 0


def test_rows_above_a_clear_move_down_and_keep_their_colours():
    env = position(["J.........", "..........", "###...####"], "T")
    env.step(3)  # T's bottom row completes the bottom line; its point stays at row 0 column 4
    board = env.unwrapped.board
    assert board[19, 4] == 1 + PIECE_NAMES.index("T") and board[19].sum() == board[19, 4]
    assert board[18, 0] == 1 + PIECE_NAMES.index("J") and board[17, 0] == 0  # one row down
    assert list(env.unwrapped._h) == [2, 0, 0, 0, 1, 0, 0, 0, 0, 0]


def test_columns_past_the_edge_shift_to_the_last_column_that_fits():
    for piece, rotation, width in (("I", 0, 4), ("O", 0, 2), ("T", 1, 2), ("L", 2, 3), ("I", 1, 1)):
        env = position([], piece)
        last = 10 - width
        ref = copy.deepcopy(env)
        ref.step(rotation * 10 + last)
        for column in range(last + 1, 10):
            other = copy.deepcopy(env)
            other.step(rotation * 10 + column)
            assert np.array_equal(other.unwrapped.board, ref.unwrapped.board), (piece, rotation, column)
            assert not env.unwrapped.action_masks()[rotation * 10 + column]
        assert ref.unwrapped.board[:, 9].any() and not ref.unwrapped.board[:, last - 1].any()  # at the right wall


@pytest.mark.parametrize("piece, count", [("I", 17), ("O", 9), ("T", 34), ("S", 17), ("Z", 17), ("J", 34), ("L", 34)])
def test_mask_marks_one_action_per_distinct_placement(piece, count):
    env = position(["#..#....##", "##.##..###"], piece)  # an uneven floor
    mask = env.unwrapped.action_masks()
    assert mask.dtype == bool and mask.shape == (40,) and mask.sum() == count == N_PLACEMENTS[PIECE_NAMES.index(piece)]
    boards = {}
    for action in range(40):
        clone = copy.deepcopy(env)
        clone.step(action)
        boards.setdefault(clone.unwrapped.board.tobytes(), []).append(action)
    assert len(boards) == count  # masked actions reach every placement, each exactly once
    assert all(sum(mask[a] for a in actions) == 1 for actions in boards.values())


def test_info_carries_the_mask_of_the_next_piece():
    env = gym.make(ENV_ID)
    _, info = env.reset(seed=5)
    env.action_space.seed(5)
    for _ in range(20):
        assert np.array_equal(info["action_mask"], env.unwrapped.action_masks())
        assert info["action_mask"].sum() == N_PLACEMENTS[env.unwrapped.piece]
        _, _, terminated, _, info = env.step(env.action_space.sample())
        if terminated:
            break


@pytest.mark.parametrize("action", [40, -1, 3.5, 3.0, True, np.array([1]), "3", None, np.float32(2)])
def test_an_action_outside_the_space_raises(action):
    env = make()
    with pytest.raises(ValueError, match=r"0\.\.39") as err:
        env.unwrapped.step(action)
    assert repr(action) in str(err.value)


def test_integer_actions_of_every_kind_are_accepted():
    env = make()
    for action in (3, np.int64(3), np.int32(12), np.array(25), np.uint8(39)):
        env.step(action)


@pytest.mark.parametrize("kwargs, word", [({"obs_type": "pixels"}, "obs_type"), ({"max_pieces": 0}, "max_pieces"),
                                          ({"max_pieces": 2.5}, "max_pieces"), ({"render_mode": "ansi"}, "render_mode"),
                                          ({"cell_size": 2}, "cell_size")])
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        TetrisEnv(**kwargs)


def test_set_board_rejects_full_rows_blocked_spawns_and_bad_pieces():
    env = make().unwrapped
    with pytest.raises(ValueError, match="full row"):
        env.set_board([EMPTY] * 19 + ["#" * 10])
    with pytest.raises(ValueError, match="cannot spawn"):
        env.set_board(["....#....."] + [EMPTY] * 19, "O")
    with pytest.raises(ValueError, match="piece"):
        env.set_board([EMPTY] * 20, "X")
    with pytest.raises(ValueError, match="board"):
        env.set_board(np.zeros((19, 10), int))


def pieces_of(seed, n=300):
    env = gym.make(ENV_ID, max_pieces=10_000)
    env.reset(seed=seed)
    seq = [env.unwrapped.piece]
    for _ in range(n):
        _, _, terminated, _, _ = env.step(0)
        seq.append(env.unwrapped.piece)
        if terminated:
            env.reset()
    return seq


def test_same_seed_same_pieces_and_all_seven_appear():
    a, b, c = pieces_of(3), pieces_of(3), pieces_of(4)
    assert a == b and a != c
    counts = np.bincount(a, minlength=7)
    assert counts.min() > 20  # uniform: about 43 each of 301


def test_game_over_when_the_next_piece_cannot_spawn():
    tower = ["....##...."] * 17
    env = position(tower, "O", "O")
    features, _, _, over = env.unwrapped.afterstates(return_game_over=True)
    assert over[4] and not over[0]
    _, reward, terminated, truncated, _ = copy.deepcopy(env).step(0)  # beside the tower: play on
    assert not terminated
    _, reward, terminated, truncated, info = env.step(4)  # on top of it: O no longer fits at the top
    assert terminated is True and truncated is False and reward == 0.0
    assert features[4, AFTERSTATE_INDEX["max_height"]] == 19
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_game_over_when_a_piece_sticks_out_above_the_well():
    env = position(["#........."] * 19, "I", "O")  # a tower of 19 in column 0; a vertical I on it pokes out
    features, lines, _, over = env.unwrapped.afterstates(return_game_over=True)
    assert over[10] and lines[10] == 0 and not over[11]
    obs, _, terminated, _, _ = env.step(10)
    assert terminated and obs[0] == 23 == features[10, 0]  # column 0 now 23 high: 3 cells above the well
    assert env.observation_space.contains(obs)


def test_random_play_ends_and_max_pieces_truncates():
    env = gym.make(ENV_ID)
    env.reset(seed=0)
    env.action_space.seed(0)
    for n in range(1, 200):
        _, _, terminated, truncated, info = env.step(env.action_space.sample())
        if terminated:
            break
    assert terminated and not truncated and info["pieces"] == n < 100
    env = gym.make(ENV_ID, max_pieces=3)
    env.reset(seed=0)
    flags = [env.step(0)[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


# ------------------------------------------------------------------ afterstates
def naive_features(board: np.ndarray) -> dict:
    """Plain-Python counts on a (rows, 10) bool board, row 0 = floor."""
    rows, width = board.shape
    filled = lambda y, x: x < 0 or x >= width or y < 0 or bool(board[y, x])  # noqa: E731
    heights = [max([y + 1 for y in range(rows) if board[y, x]], default=0) for x in range(width)]
    holes = sum(1 for x in range(width) for y in range(heights[x]) if not board[y, x])
    row_tr = 0
    for y in range(rows):
        if y >= 20 and not board[y].any():
            continue
        row_tr += sum(filled(y, x) != filled(y, x + 1) for x in range(-1, width))
    col_tr = sum(filled(y - 1, x) != filled(y, x) for x in range(width) for y in range(rows))
    wells = 0
    for x in range(width):
        depth = 0
        for y in range(rows - 1, -1, -1):
            if not board[y, x] and filled(y, x - 1) and filled(y, x + 1):
                depth += 1
                wells += depth
            else:
                depth = 0
    return {"holes": holes, "row_transitions": row_tr, "column_transitions": col_tr, "cumulative_wells": wells,
            "max_height": max(heights)}


def test_afterstates_agree_with_stepping_each_action_on_a_copy():
    env = gym.make(ENV_ID, max_pieces=10_000)
    env.reset(seed=11)
    rng = np.random.default_rng(11)
    checked = lines_seen = overs = 0
    for _ in range(60):
        features, lines, mask, over = env.unwrapped.afterstates(return_game_over=True)
        assert features.shape == (40, len(AFTERSTATE_FEATURES)) and lines.shape == mask.shape == (40,)
        for action in range(40):
            clone = copy.deepcopy(env)
            obs, reward, terminated, _, _ = clone.step(action)
            np.testing.assert_array_equal(obs[:21], features[action, :21])
            assert reward == lines[action] and terminated == over[action]
            board = pc.ROW_CELLS[np.array(clone.unwrapped._board)]
            for name, value in naive_features(board).items():
                assert features[action, AFTERSTATE_INDEX[name]] == value, (name, action)
            checked += 1
            lines_seen += reward
            overs += terminated
        # play like the expert, with noise, to keep the game going, clear lines and see varied boards
        score = np.where(mask, features @ WEIGHTS + rng.normal(0.0, 2.0, 40), -np.inf)
        action = int(np.argmax(score))
        assert not env.step(action)[2]
    assert checked == 2400 and lines_seen > 0


def test_landing_height_is_the_middle_of_the_placed_piece():
    env = position(["#........."], "I")
    features, _, _ = env.unwrapped.afterstates()
    index = AFTERSTATE_INDEX["landing_height"]
    assert features[0, index] == 1.0  # flat I on the block in column 0: row 1
    assert features[4, index] == 0.0  # flat I on the floor
    assert features[10, index] == 2.5  # vertical I on the block: rows 1-4


# ------------------------------------------------------------------ observations
def test_observations_stay_in_their_spaces_and_the_board_observation_is_the_board():
    for obs_type in ("features", "board"):
        env = gym.make(ENV_ID, obs_type=obs_type)
        obs, _ = env.reset(seed=2)
        for _ in range(150):
            assert env.observation_space.contains(obs), obs
            if obs_type == "board":
                np.testing.assert_array_equal(obs[:200].reshape(20, 10), env.unwrapped.board > 0)
                assert obs[200 + env.unwrapped.piece] == 1 and obs[200:].sum() == 1
            obs, _, terminated, _, _ = env.step(env.action_space.sample())
            if terminated:
                obs, _ = env.reset()


def test_rgb_frames_colour_cells_by_piece():
    env = position(["#........."], "T", render_mode="rgb_array", cell_size=10)
    env.step(4)  # T up, bottom row in columns 4-6
    frame = env.render()
    assert frame.shape == (200, 150, 3) and frame.dtype == np.uint8
    assert tuple(frame[195, 45]) == pc.PIECE_COLOURS[PIECE_NAMES.index("T")]
    assert tuple(frame[195, 5]) == (128, 128, 128)  # the '#' cell set_board loaded
    assert tuple(frame[5, 5]) != tuple(frame[195, 45])


def test_bench_script_prints_the_ratio_and_the_expert_lines():
    path = Path(__file__).resolve().parents[2] / "baselines" / "bench_tetris.py"
    done = subprocess.run([sys.executable, str(path), "--steps", "300", "--repeats", "1", "--games", "1",
                           "--max-pieces", "60"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout
    assert "CartPole-v1" in text and ">= 0.5" in text and "expert lines per game" in text
