"""expert_for: the tabular expert is value iteration's table, batched and optimal."""

import numpy as np
import pytest

from rlhf_gym.envs.gridworld import OBS_TYPES, GridWorldEnv
from rlhf_gym.experts import expert_for
from rlhf_gym.planning import TabularPolicy


@pytest.mark.parametrize("obs_type", OBS_TYPES)
def test_expert_predict_is_batched_and_optimal(obs_type):
    env = GridWorldEnv(layout="open_room", obs_type=obs_type)
    expert = expert_for(env)
    assert isinstance(expert, TabularPolicy)
    obs = np.stack([np.asarray(env.observation_of(s)) for s in range(env.n_states)])
    actions, state = expert.predict(obs)
    assert state is None and actions.shape == (env.n_states,)
    np.testing.assert_array_equal(actions, expert.policy)
    single, _ = expert.predict(env.observation_of(3), deterministic=False)
    assert isinstance(single, np.ndarray) and single.shape == () and single == expert.policy[3]
    o, _ = env.reset(seed=0)
    total, done = 0.0, False
    while not done:
        o, r, term, trunc, _ = env.step(expert.predict(o)[0])
        total += r
        done = term or trunc
    assert total == pytest.approx(0.93)


def test_no_expert_for_an_unknown_env():
    import gymnasium as gym

    with pytest.raises(ValueError, match="no built-in expert"):
        expert_for(gym.make("MountainCar-v0"))
