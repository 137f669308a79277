"""A real X window: the frame an env renders is what appears on an Xvfb screen.

Skipped where Xvfb or xwd is missing (`apt-get install xvfb x11-apps`); CI installs both.
"""

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xwd")), reason="needs Xvfb and xwd")


def test_gridworld_window_shows_the_rendered_frame(xvfb_display, tmp_path, read_xwd):
    script = textwrap.dedent(
        """
        import subprocess, sys, numpy as np, gymnasium as gym, rlhf_gym
        env = gym.make("rlhf_gym/GridWorld-v0", render_mode="human")
        env.reset(seed=0)
        env.step(1)
        frame_env = gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array")
        frame_env.reset(seed=0)
        frame_env.step(1)
        np.save(sys.argv[1] + "/frame.npy", frame_env.render())
        with open(sys.argv[1] + "/screen.xwd", "wb") as f:
            subprocess.run(["xwd", "-root", "-silent"], stdout=f, check=True)
        env.close()
        """
    )
    env = {**os.environ, "DISPLAY": xvfb_display, "SDL_VIDEODRIVER": "x11"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, check=True, timeout=60)
    frame = np.load(tmp_path / "frame.npy")
    screen = read_xwd((tmp_path / "screen.xwd").read_bytes())
    h, w = frame.shape[:2]
    # The window sits somewhere on the root window; find the frame's top-left pixel block.
    matches = [(y, x) for y in range(screen.shape[0] - h + 1) for x in range(screen.shape[1] - w + 1)
               if np.array_equal(screen[y, x], frame[0, 0]) and np.array_equal(screen[y:y + 4, x:x + 4], frame[:4, :4])]
    assert matches, "the rendered frame's corner is nowhere on the X screen"
    y, x = matches[0]
    assert np.mean(screen[y:y + h, x:x + w] == frame) > 0.99
