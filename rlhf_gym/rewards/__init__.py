"""Learned rewards: reward models, the Bradley-Terry loss, the trainer, save/load.

Importing this package imports torch (the models are torch modules).
"""

from rlhf_gym.rewards.bradley_terry import bradley_terry_loss, preference_probability
from rlhf_gym.rewards.io import load_reward_model, save_reward_model
from rlhf_gym.rewards.model import RewardModel
from rlhf_gym.rewards.optimistic import OptimisticReward
from rlhf_gym.rewards.trainer import RewardTrainer, TrainerConfig

__all__ = [
    "OptimisticReward",
    "RewardModel",
    "RewardTrainer",
    "TrainerConfig",
    "bradley_terry_loss",
    "load_reward_model",
    "preference_probability",
    "save_reward_model",
]
