"""ChatResponse-v0: a toy chat model's world — prompts, a small vocabulary, a hidden preference."""

from rlhf_gym.envs.chat.demonstrator import ChatExpert, Demonstrator
from rlhf_gym.envs.chat.env import ChatResponseEnv
from rlhf_gym.envs.chat.preference import Labeller, true_score

__all__ = ["ChatExpert", "ChatResponseEnv", "Demonstrator", "Labeller", "true_score"]
