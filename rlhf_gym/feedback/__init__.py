"""Feedback: clips, teachers (synthetic, replay; the human window plugs in), the label
store and query selection. Needs numpy only; torch is not imported here."""

from rlhf_gym.data.label_store import LabelStore
from rlhf_gym.feedback.queries import disagreement_pairs, random_pairs, select_pairs
from rlhf_gym.data.rollouts import EpisodeRecorder, collect_segments
from rlhf_gym.data.segments import Segment, check_pair, cut_episode, stack_segments
from rlhf_gym.feedback.teachers import ReplayTeacher, SyntheticTeacher, Teacher

__all__ = [
    "EpisodeRecorder", "LabelStore", "ReplayTeacher", "Segment", "SyntheticTeacher", "Teacher",
    "check_pair", "collect_segments", "cut_episode", "disagreement_pairs", "random_pairs",
    "select_pairs", "stack_segments",
]
