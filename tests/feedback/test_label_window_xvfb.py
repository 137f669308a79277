"""A real X window: `rlhf-gym label` on an Xvfb screen, answered by real key presses (xdotool).

Skipped where Xvfb, xwd or xdotool is missing (`apt-get install xvfb x11-apps xdotool`); CI installs them.
"""

import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from rlhf_gym.feedback import LabelStore

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("Xvfb", "xwd", "xdotool")),
                                reason="needs Xvfb, xwd and xdotool")


def _wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_keys_pressed_in_a_real_window_are_saved_and_the_window_shows_two_clips(xvfb_display, tmp_path, read_xwd):
    out = tmp_path / "labels.jsonl"
    env = {**os.environ, "DISPLAY": xvfb_display, "SDL_VIDEODRIVER": "x11"}
    proc = subprocess.Popen([sys.executable, "-m", "rlhf_gym.cli", "label", "--env", "rlhf_gym/GridWorld-v0",
                             "--pairs", "2", "--segment-length", "6", "--out", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def screen():
            return read_xwd(subprocess.run(["xwd", "-root", "-silent"], env=env, capture_output=True, check=True).stdout)

        # No window manager runs on Xvfb: the window is there once the screen shows more than black.
        assert _wait_for(lambda: len(np.unique(screen().reshape(-1, 3), axis=0)) > 3), "no window appeared"
        time.sleep(0.5)
        shot = screen()
        for key, count in (("Left", 1), ("space", 2)):
            subprocess.run(["xdotool", "key", key], env=env, check=True)  # to the focused (only) window
            assert _wait_for(lambda: len(LabelStore(out, read_only=True).records) >= count), key
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr[-2000:]
    assert [r["label"] for r in LabelStore(out).records] == [1.0, None]
    # Both clips are on the screen: the GridWorld frames' cells, twice, side by side.
    import gymnasium as gym

    import rlhf_gym  # noqa: F401
    from rlhf_gym.commands.label import pair_clips

    left, right = pair_clips(gym.make("rlhf_gym/GridWorld-v0", render_mode="rgb_array"), None, 0, 6, 0)
    h, w = left.frames.shape[1:3]
    corner = [(y, x) for y in range(shot.shape[0] - h) for x in range(shot.shape[1] - 2 * w)
              if np.array_equal(shot[y:y + 3, x:x + 3], left.frames[0][:3, :3])]

    def shows(region, clip):  # the clips loop: the screenshot caught one of their frames
        return max(np.mean(region == frame) for frame in clip.frames) > 0.99

    assert corner and any(shows(shot[y:y + h, x:x + w], left) and shows(shot[y:y + h, x + w + 12:x + 2 * w + 12], right)
                          for y, x in corner[:50])
