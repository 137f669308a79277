"""rlhf_gym: Gymnasium environments and algorithms for learning from people.

Importing the package registers every environment id in ``ENV_TABLE`` so that
``gym.make("rlhf_gym/...")`` works. Nothing heavy (torch, SB3) is imported here.
"""

from __future__ import annotations

import gymnasium as gym

__version__ = "0.1.0"

_GRID = "rlhf_gym.envs.gridworld:GridWorldEnv"
_BACKFLIP = "rlhf_gym.envs.backflip:BackflipEnv"

# (id, entry point, default kwargs). Horizons are part of each env's model
# (finite-horizon planners need them), so the envs truncate themselves.
ENV_TABLE: tuple[tuple[str, str, dict], ...] = (
    ("rlhf_gym/GridWorld-v0", _GRID, {}),
    ("rlhf_gym/CliffWalk-v0", _GRID, {"layout": "cliff_walk"}),
    ("rlhf_gym/LavaMaze-v0", _GRID, {"layout": "lava_maze"}),
    ("rlhf_gym/LavaLedge-v0", _GRID, {"layout": "lava_ledge"}),
    ("rlhf_gym/ObjectWorld-v0", _GRID, {"layout": "objectworld", "size": 16}),
    ("rlhf_gym/Backflip-v0", _BACKFLIP, {}),
    # v1: the same hopper and success rule; its reward pays the way to a landing and a crash ends the
    # episode (envs/backflip/env.py says why).
    ("rlhf_gym/Backflip-v1", _BACKFLIP, {"crash_penalty": 0.0, "stand_reward": 0.3, "touchdown_reward": 2.0,
                                         "terminate_on_crash": True, "upright_reward": 0.3}),
    ("rlhf_gym/FixedHorizonCartPole-v1", "rlhf_gym.envs.cartpole:FixedHorizonCartPole", {}),
    ("rlhf_gym/Tetris-v0", "rlhf_gym.envs.tetris:TetrisEnv", {}),
    ("rlhf_gym/DuelingBandit-v0", "rlhf_gym.envs.dueling_bandit:DuelingBanditEnv", {}),
    ("rlhf_gym/ChatResponse-v0", "rlhf_gym.envs.chat:ChatResponseEnv", {}),
)


def _register_all() -> None:
    for env_id, entry_point, kwargs in ENV_TABLE:
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=entry_point, kwargs=dict(kwargs))


_register_all()

ENV_IDS: tuple[str, ...] = tuple(row[0] for row in ENV_TABLE)

__all__ = ["ENV_IDS", "ENV_TABLE", "__version__"]
