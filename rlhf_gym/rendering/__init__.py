"""Showing and recording numpy frames: a pygame window and GIF/MP4 writers."""

from rlhf_gym.rendering.frame_window import FrameWindow
from rlhf_gym.rendering.recorder import save_video

__all__ = ["FrameWindow", "save_video"]
