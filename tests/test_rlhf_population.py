"""Several agents feeding one reward model: clips from every agent reach the teacher, the label
schedule spans all the turns, and the agent kept by learned return is a trained one."""

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

import rlhf_gym  # noqa: F401
from rlhf_gym.algorithms.rlhf import PreferenceLearningCallback
from rlhf_gym.algorithms.rlhf_population import ClipFeeder, learn_in_turns
from rlhf_gym.algorithms.rlhf_run import RLHFConfig, run_rlhf_population
from rlhf_gym.commands.common import evaluate_true_return, random_actor, run_episodes
from rlhf_gym.feedback import SyntheticTeacher
from rlhf_gym.rewards import RewardModel
from rlhf_gym.wrappers import VecLearnedReward

GRID = "rlhf_gym/GridWorld-v0"
PPO_KW = dict(n_steps=128, batch_size=128, n_epochs=8, ent_coef=0.01, learning_rate=1e-3)


def test_two_agents_share_the_query_pool_and_the_schedule():
    rm = RewardModel.for_env(gym.make(GRID), kind="linear", inputs=("next_obs",))
    agents = [PPO("MlpPolicy", VecLearnedReward(make_vec_env(GRID, n_envs=4, seed=s), rm), seed=s, device="cpu",
                  **PPO_KW) for s in (0, 1)]
    lead = PreferenceLearningCallback(rm, SyntheticTeacher(0), total_labels=30, segment_length=10, seed=0,
                                      total_timesteps=2048)
    feeder = ClipFeeder(lead, seed=1)
    learn_in_turns(agents, [lead, feeder], 2048, 512)
    assert [a.num_timesteps for a in agents] == [2048, 2048]
    assert lead.queries_asked == 30  # the schedule ran over all four turns, not the first one
    fed = {id(clip) for clip in feeder.recorder.take()}
    assert fed and any(id(clip) in fed for pair in lead.pairs for clip in pair)
    assert feeder.episode_true_returns and not agents[1].get_env().listeners


def test_population_refuses_what_it_cannot_use():
    rm = RewardModel.for_env(gym.make(GRID), kind="linear", inputs=("next_obs",))
    other = RewardModel.for_env(gym.make(GRID), kind="linear", inputs=("next_obs",))
    agents = [PPO("MlpPolicy", VecLearnedReward(make_vec_env(GRID, n_envs=2, seed=0), m), seed=0, device="cpu",
                  n_steps=64, batch_size=64) for m in (rm, other)]
    lead = PreferenceLearningCallback(rm, SyntheticTeacher(0), total_labels=10, segment_length=8,
                                      total_timesteps=256)
    with pytest.raises(ValueError, match="another reward model"):
        learn_in_turns(agents, [lead, ClipFeeder(lead)], 256, 128)
    with pytest.raises(ValueError, match="multiple of one rollout"):
        learn_in_turns(agents[:1], [lead], 256, 100)
    with pytest.raises(ValueError, match="total_timesteps"):
        learn_in_turns(agents[:1], [PreferenceLearningCallback(rm, SyntheticTeacher(0), total_labels=10)], 256, 128)
    with pytest.raises(RuntimeError, match="lead agent has not started"):
        agents[0].learn(128, callback=ClipFeeder(PreferenceLearningCallback(rm, SyntheticTeacher(0), total_labels=4)))
    with pytest.raises(ValueError, match="n_agents"):
        run_rlhf_population(RLHFConfig(GRID), 1)
    with pytest.raises(ValueError, match="final_log_std is set"):
        run_rlhf_population(RLHFConfig("rlhf_gym/Backflip-v0", final_log_std=-3.0), 2)


@pytest.mark.slow
def test_population_run_keeps_an_agent_that_beats_random_on_gridworld():
    cfg = RLHFConfig(GRID, labels=100, steps=12_288, n_envs=4, agent_kwargs=PPO_KW, segment_length=10,
                     query="random", seed=3)
    agents, learned, kept, rm, lead, feeders, _ = run_rlhf_population(cfg, 2, turn_rollouts=4)
    assert len(agents) == 2 and len(learned) == 2 and learned[kept] == max(learned)
    assert [a.num_timesteps for a in agents] == [6144, 6144] and lead.queries_asked == 100
    env = gym.make(GRID)
    random_return = run_episodes(env, random_actor(env, 0), 30, 1000)["true_return_mean"]
    trained = evaluate_true_return(agents[kept], GRID, {}, 30, 1000)["true_return_mean"]
    assert trained >= random_return + 0.5 and trained >= 0.8, (trained, random_return, learned)
    assert np.isfinite(learned).all()
