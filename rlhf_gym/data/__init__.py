"""What flows between the parts: clips (segments), rollouts cut into clips, demonstrations
(trajectories), and the label store. Files on disk are JSONL + npz, appended and fsynced as
they arrive. Needs numpy and gymnasium only; torch is not imported here."""

from rlhf_gym.data.label_store import LabelStore
from rlhf_gym.data.rollouts import EpisodeRecorder, collect_segments
from rlhf_gym.data.segments import Segment, check_pair, cut_episode, stack_segments

__all__ = ["EpisodeRecorder", "LabelStore", "Segment", "check_pair", "collect_segments", "cut_episode",
           "stack_segments"]
