"""Several agents feeding one reward model, taking turns at ``learn()``.

Why: one agent's clips show the teacher only what that agent does, and a reward fitted on them
prices everything off its path by extrapolation (on Backflip, an agent that never stands still
is never shown a clip of standing still, and its reward may pay hopping more). Agents with
different seeds explore differently; when their clips share one query pool, the teacher compares
one agent's behaviour with another's, and every agent trains on the reward that those answers fit.
The agents stay unchanged SB3 agents: the lead one carries the ``PreferenceLearningCallback``; each
other one carries a ``ClipFeeder`` that records its clips into the lead's pool.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from rlhf_gym.algorithms.rlhf import PreferenceLearningCallback, find_learned_reward
from rlhf_gym.feedback.rollouts import EpisodeRecorder


class ClipFeeder(BaseCallback):
    """Records a second agent's clips into ``lead``'s query pool and gives it the lead's reward.

    The agent's env must hold its own ``VecLearnedReward`` over the lead's reward model; the lead
    must have started training first (its ``learn()`` call comes first in each turn)."""

    def __init__(self, lead: PreferenceLearningCallback, seed: int = 0, verbose: int = 0):
        super().__init__(verbose)
        if not isinstance(lead, PreferenceLearningCallback):
            raise TypeError(f"ClipFeeder: lead={type(lead).__name__}; allowed: a PreferenceLearningCallback")
        self.lead, self.rng = lead, np.random.default_rng(seed)
        self.recorder: EpisodeRecorder | None = None
        self.episode_true_returns: list[float] = []
        self._ep_true = None

    def _on_training_start(self) -> None:
        if not getattr(self.lead, "_started", False):
            raise RuntimeError("ClipFeeder: the lead agent has not started training; allowed order: the lead's "
                               "learn() first in every turn (learn_in_turns puts it first)")
        self.wrapper, _ = find_learned_reward(self.model.get_env())
        fn = self.wrapper.reward_fn
        if getattr(fn, "model", fn) is not self.lead.reward_model:  # an OptimisticReward holds its model
            raise ValueError("ClipFeeder: this agent's VecLearnedReward holds another reward model; allowed: "
                             "VecLearnedReward(venv, lead.reward_model), the model the lead callback trains")
        # The lead's reward, with its exploration bonus (one object: the lead moves it for every agent).
        self.wrapper.reward_fn = self.lead.agent_reward if self.lead.uses_spread else self.lead.reward_model
        if self.recorder is None:
            n = self.wrapper.num_envs
            self.recorder = EpisodeRecorder(n, self.lead.segment_length, self.rng, capacity=self.lead.pool_size)
            self.lead.feeders.append(self.recorder)
            self._ep_true = np.zeros(n)
        self.wrapper.add_listener(self._on_transition)

    def _on_training_end(self) -> None:
        self.wrapper.remove_listener(self._on_transition)
        self.wrapper.reward_fn = self.lead.reward_model

    def _on_transition(self, obs, actions, next_obs, true_rewards, learned, dones, terminated) -> None:
        self.recorder.add(obs, actions, next_obs, true_rewards, dones, terminated)
        self._ep_true += true_rewards
        for i in np.flatnonzero(dones):
            self.episode_true_returns.append(float(self._ep_true[i]))
            self._ep_true[i] = 0.0

    def _on_step(self) -> bool:
        return True


def learn_in_turns(agents: list, callbacks: list, steps_per_agent: int, turn_steps: int) -> None:
    """Train each agent ``steps_per_agent`` steps, ``turn_steps`` at a time, in the order given.

    Why turns of whole rollouts: the lead refits the reward at the end of its rollouts; a turn that
    ends on a rollout boundary leaves no half-collected rollout with stale rewards behind."""
    if len(agents) != len(callbacks) or not agents:
        raise ValueError(f"learn_in_turns: {len(agents)} agents and {len(callbacks)} callbacks; allowed: one "
                         "callback per agent, at least one agent")
    if not isinstance(callbacks[0], PreferenceLearningCallback) or callbacks[0].total_timesteps is None:
        raise ValueError("learn_in_turns: callbacks[0] must be the lead PreferenceLearningCallback with "
                         "total_timesteps=steps_per_agent (its label schedule spans all the turns)")
    for agent in agents:
        rollout = getattr(agent, "n_steps", 1) * agent.n_envs
        if turn_steps < 1 or turn_steps % rollout:
            raise ValueError(f"learn_in_turns: turn_steps={turn_steps}; allowed: a positive multiple of one "
                             f"rollout ({rollout} steps = n_steps x n_envs)")
    done = 0
    while done < steps_per_agent:
        n = min(turn_steps, steps_per_agent - done)
        for agent, callback in zip(agents, callbacks):
            agent.learn(n, callback=callback, reset_num_timesteps=done == 0)
        done += n


def learned_returns(agents: list, reward_fn, env_id: str, env_kwargs: dict | None, n_episodes: int, seed: int) -> list:
    """Each agent's mean return under ``reward_fn`` over the same seeded deterministic episodes.

    Why: picking which agent to keep may use only what the teacher's labels taught, not the true reward."""
    import gymnasium as gym

    out = []
    for agent in agents:
        env = gym.make(env_id, **(env_kwargs or {}))
        total = 0.0
        for episode in range(n_episodes):
            obs, _ = env.reset(seed=seed + episode)
            done = False
            while not done:
                action, _ = agent.predict(np.asarray(obs)[None], deterministic=True)
                next_obs, _, terminated, truncated, _ = env.step(action[0])
                total += float(reward_fn(np.asarray(obs)[None], action, np.asarray(next_obs)[None])[0])
                obs, done = next_obs, terminated or truncated
        env.close()
        out.append(total / n_episodes)
    return out
