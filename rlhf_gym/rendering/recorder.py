"""Write rollout frames to GIF (no extra dependency) or MP4 (needs imageio-ffmpeg)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

VIDEO_SUFFIXES = (".gif", ".mp4")


def check_video_path(path: str | Path) -> Path:
    """Refuse, before any rollout runs, a path whose suffix is not a format we write."""
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"record path: {str(path)!r} has suffix {path.suffix!r}; allowed: {', '.join(VIDEO_SUFFIXES)}")
    return path


def save_video(frames: Sequence[np.ndarray], path: str | Path, fps: int = 30) -> Path:
    """Save ``frames`` ((H, W, 3) uint8 each) to ``path``; the suffix picks the format."""
    path = check_video_path(path)
    if len(frames) == 0:
        raise ValueError("frames: empty; need at least one frame to record")
    import imageio.v2 as imageio

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".gif":
        imageio.mimsave(path, [np.asarray(f) for f in frames], duration=1000.0 / fps, loop=0)
        return path
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise ValueError(
            f"record path: {str(path)!r} needs imageio-ffmpeg for MP4 (pip install 'rlhf_gym[video]'); GIF works without it"
        ) from None
    imageio.mimsave(path, [np.asarray(f) for f in frames], fps=fps, macro_block_size=1)
    return path
