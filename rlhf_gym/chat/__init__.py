"""The RLHF pipeline on the toy chat env (ChatResponse-v0): reward model over replies, KL callback, arms.

Imports torch and SB3; the env itself (``rlhf_gym.envs.chat``) does not.
"""

from rlhf_gym.chat.kl_callback import KLPenaltyCallback, kl_penalty
from rlhf_gym.chat.pipeline import ARMS, ChatConfig, run_pipeline
from rlhf_gym.chat.replies import reply_kl, reply_log_probs, reply_steps, sample_replies
from rlhf_gym.chat.reward_model import ReplyReward, ReplyRewardModel, fit_reward_model, reply_features

__all__ = ["ARMS", "ChatConfig", "KLPenaltyCallback", "ReplyReward", "ReplyRewardModel", "fit_reward_model",
           "kl_penalty", "reply_features", "reply_kl", "reply_log_probs", "reply_steps", "run_pipeline",
           "sample_replies"]
