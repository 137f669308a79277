"""GridWorld pictures: env frames, the human window (headless), heat maps with arrows, PNG files."""

import gymnasium as gym
import imageio.v3 as iio
import numpy as np
import pytest

import rlhf_gym  # noqa: F401
from rlhf_gym.envs.gridworld import render as grid_render
from rlhf_gym.envs.gridworld import GridWorldEnv
from rlhf_gym.planning import optimal_policy


def cell(frame, row, col, px):
    return frame[row * px:(row + 1) * px, col * px:(col + 1) * px]


def test_rgb_array_frame_shape_and_agent_motion():
    env = gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array")
    env.reset(seed=0)
    base = env.unwrapped
    px = grid_render.default_cell_px(7, 7)
    first = env.render()
    assert first.shape == (7 * px, 7 * px, 3) and first.dtype == np.uint8
    assert (cell(first, 1, 1, px) == grid_render.AGENT_FRAME_COLOUR).all(axis=-1).any()
    env.step(0)  # bump into the top wall: the picture stays the same
    np.testing.assert_array_equal(env.render(), first)
    env.step(1)  # move right: exactly the two cells involved change
    second = env.render()
    changed = np.argwhere((second != first).any(axis=-1)) // px
    assert {tuple(c) for c in changed.tolist()} == {(1, 1), (1, 2)}
    assert (cell(second, 1, 2, px) == grid_render.AGENT_FRAME_COLOUR).all(axis=-1).any()
    # walls, goal and floor get their palette colours
    assert (cell(first, 0, 0, px) == grid_render.PALETTE[0]).all()
    assert (cell(first, 5, 5, px) == grid_render.PALETTE[3]).all()
    assert (cell(first, 2, 2, px) == grid_render.PALETTE[1]).all()
    assert base.render_mode == "rgb_array"
    env.close()


def test_object_colours_and_big_grid_frames():
    env = GridWorldEnv(layout="objectworld", size=256, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (512, 512, 3)
    r, c = np.argwhere(env.layout.chars == "b")[0]
    assert (cell(frame, r, c, 2) == grid_render.PALETTE[5 + 1]).all()


def test_human_mode_under_the_dummy_driver():
    import pygame

    env = gym.make("rlhf_gym/GridWorld-v0", layout="cliff_walk", render_mode="human")
    env.reset(seed=0)
    env.step(0)
    window = env.unwrapped._window
    assert window.is_open and pygame.display.get_init()
    assert pygame.display.get_surface().get_size() == (12 * 42, 4 * 42)
    shown = pygame.surfarray.array3d(pygame.display.get_surface()).transpose(1, 0, 2)
    np.testing.assert_array_equal(shown, env.unwrapped._frame())
    env.close()
    assert not pygame.display.get_init()


def test_render_without_mode_warns_and_returns_none():
    env = GridWorldEnv()
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None


def test_value_heat_map_with_policy_arrows():
    env = GridWorldEnv(layout="open_room")
    expert = optimal_policy(env)
    px = grid_render.default_cell_px(7, 7)
    plain = grid_render.render_values(env, expert.values)
    frame = grid_render.render_values(env, expert.values, expert.policy)
    assert frame.shape == plain.shape == (7 * px, 7 * px, 3)
    # heat map: the best non-terminal state is the brightest anchor, the start the darkest
    best = np.argmax(np.where(env.terminal_states, -np.inf, expert.values))
    low = np.argmin(np.where(env.terminal_states, np.inf, expert.values))
    for s, anchor in ((best, -1), (low, 0)):
        r, c = env.state_cells[s]
        assert (cell(plain, r, c, px)[0, 0] == np.round(grid_render._HEAT_ANCHORS[anchor])).all()
    # arrows point the way the policy goes: the start (1, 1) moves right, (1, 5) moves down
    right = (cell(frame, 1, 1, px) != cell(plain, 1, 1, px)).any(axis=-1)
    ys, xs = np.nonzero(right)
    assert xs.max() > 0.8 * px and ys.max() - ys.min() < xs.max() - xs.min()
    assert right[:, -int(0.2 * px):].any() and not right[:, : int(0.1 * px)].any()
    down = (cell(frame, 1, 5, px) != cell(plain, 1, 5, px)).any(axis=-1)
    ys, xs = np.nonzero(down)
    assert ys.max() > 0.8 * px and xs.max() - xs.min() < ys.max() - ys.min()
    # walls and the goal keep their map colours
    np.testing.assert_array_equal(cell(frame, 0, 0, px), cell(plain, 0, 0, px))
    assert (cell(frame, 5, 5, px) == grid_render.PALETTE[3]).all()


def test_render_values_on_a_big_grid_and_bad_input():
    env = GridWorldEnv(layout="objectworld", size=256)
    values = np.linspace(0, 1, env.n_states)
    frame = grid_render.render_values(env, values, np.zeros(env.n_states, dtype=np.int64))
    assert frame.shape == (512, 512, 3)
    with pytest.raises(ValueError, match=r"values has shape \(3,\)"):
        grid_render.render_values(env, np.zeros(3))
    with pytest.raises(ValueError, match="policy"):
        grid_render.render_values(env, values, np.full(env.n_states, 7))
    with pytest.raises(ValueError, match="cell_px=0"):
        grid_render.render_values(env, values, cell_px=0)


def test_save_png_round_trip(tmp_path):
    env = GridWorldEnv(layout="lava_maze", render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    path = tmp_path / "maze.png"
    grid_render.save_png(frame, path)
    np.testing.assert_array_equal(iio.imread(path), frame)
    with pytest.raises(ValueError, match="frame has shape"):
        grid_render.save_png(frame.astype(np.float32), tmp_path / "bad.png")


def test_rgb_observation_shows_the_agent_where_it_is():
    env = GridWorldEnv(layout="objectworld", size=16, obs_type="rgb", layout_seed=2)
    obs, info = env.reset(seed=0)
    assert obs.shape == (64, 64, 3) and obs.dtype == np.uint8
    r, c = env.state_cells[info["state"]]
    assert (cell(obs, r, c, 4) == grid_render.AGENT_OBS_COLOUR).all()
    assert (obs == grid_render.AGENT_OBS_COLOUR).all(axis=-1).sum() == 16
