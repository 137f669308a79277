"""Every registered rlhf_gym env passes both checkers, is deterministic under a seed, and pickles."""

import pickle

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import rlhf_gym

ENV_IDS = rlhf_gym.ENV_IDS


def test_every_row_of_the_table_is_registered():
    registered = {k for k in gym.registry if k.startswith("rlhf_gym/")}
    assert set(ENV_IDS) == registered
    assert {"rlhf_gym/GridWorld-v0", "rlhf_gym/Backflip-v0"} <= registered


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_gymnasium_checker(env_id):
    env = gym.make(env_id)
    gym_check_env(env.unwrapped, skip_render_check=True)
    env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_sb3_checker(env_id):
    env = gym.make(env_id)
    sb3_check_env(env.unwrapped, warn=True)
    env.close()


def rollout(env_id, seed, steps=60):
    env = gym.make(env_id)
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    trace = [np.asarray(obs, dtype=np.float64).ravel()]
    for _ in range(steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        trace.append(np.concatenate([np.asarray(obs, dtype=np.float64).ravel(), [reward, info["true_reward"]]]))
        assert isinstance(reward, float) and isinstance(terminated, bool) and isinstance(truncated, bool)
        if terminated or truncated:
            obs, _ = env.reset()
            trace.append(np.asarray(obs, dtype=np.float64).ravel())
    env.close()
    return trace


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_same_seed_same_trajectory(env_id):
    a, b, c = rollout(env_id, 3), rollout(env_id, 3), rollout(env_id, 4)
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    assert len(a) != len(c) or not all(np.array_equal(x, y) for x, y in zip(a, c))


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_env_pickles_mid_episode(env_id):
    env = gym.make(env_id)
    env.reset(seed=1)
    env.step(env.action_space.sample())
    clone = pickle.loads(pickle.dumps(env))
    action = env.action_space.sample()
    assert np.array_equal(np.asarray(env.step(action)[0]), np.asarray(clone.step(action)[0]))


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_subproc_vec_env_with_two_workers(env_id):
    """Workers start fresh interpreters (forkserver), so the id names its module: "rlhf_gym:<id>"."""
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import SubprocVecEnv

    venv = make_vec_env(f"rlhf_gym:{env_id}", n_envs=2, seed=0, vec_env_cls=SubprocVecEnv)
    try:
        venv.reset()
        for _ in range(20):
            actions = np.stack([venv.action_space.sample() for _ in range(2)])
            _, rewards, _, infos = venv.step(actions)
            assert rewards.shape == (2,)
            assert all("true_reward" in info for info in infos)
    finally:
        venv.close()


def test_envs_experts_and_feedback_import_no_torch_sb3_or_pygame():
    """The envs stay light: making every env and expert pulls in neither torch, SB3 nor pygame.
    (FixedHorizonCartPole is Gymnasium's CartPole, whose frames pygame draws: it is made and given its
    expert, not rendered.)"""
    import subprocess
    import sys

    code = (
        "import sys, gymnasium as gym, rlhf_gym, rlhf_gym.feedback\n"
        "from rlhf_gym.experts import expert_for\n"
        "for env_id in rlhf_gym.ENV_IDS:\n"
        "    drawn = 'CartPole' not in env_id\n"
        "    env = gym.make(env_id, render_mode='rgb_array' if drawn else None); env.reset(seed=0)\n"
        "    drawn and env.render(); expert_for(env)\n"
        "print(sorted(m for m in ('torch', 'stable_baselines3', 'pygame') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
