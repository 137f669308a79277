"""The TAMER loop: the agent acts, the trainer watches, signals arrive late and are credited.

Why: one loop serves the CLI, the baseline and the tests, whoever the trainer is (simulated, or
later a person at a keyboard). Each step: deliver the signals that arrived while the previous
steps were on screen (before ``t_i``), let the agent choose step i, show it to the trainer from
``t_i``, then step the env. At an episode's end every pending signal is delivered (the last moves
stay on screen), so an episode's signals never leak into the next. The env's reward is only
recorded (``info["true_reward"]``, for honest reporting); the agent never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class EpisodeStats:
    """One training episode: its true return, the signals the agent got and the steps it took."""

    true_return: float
    signals: int
    steps: int


@dataclass
class TamerRun:
    """What :func:`train_tamer` did, episode by episode."""

    episodes: list[EpisodeStats] = field(default_factory=list)

    @property
    def episode_returns(self) -> list[float]:
        return [e.true_return for e in self.episodes]

    @property
    def signals_per_episode(self) -> list[int]:
        return [e.signals for e in self.episodes]

    @property
    def labels_used(self) -> int:
        return sum(self.signals_per_episode)


def run_episode(env, agent, trainer, seed: int | None) -> EpisodeStats:
    """One training episode on ``env`` reset with ``seed``; the agent learns from the trainer as it plays."""
    obs, _ = env.reset(seed=seed)
    agent.begin_episode()
    trainer.begin_episode()
    total, signals, done = 0.0, 0, False
    while not done:
        now = agent.step_time(agent.n_steps)
        for signal in trainer.signals(until=now):
            agent.give(signal.time, signal.value)
            signals += 1
        action = agent.act(env, obs)
        trainer.watch(env, obs, action, now)
        obs, reward, terminated, truncated, info = env.step(action)
        total += float(info.get("true_reward", reward))
        done = terminated or truncated
    for signal in trainer.signals(until=None):
        agent.give(signal.time, signal.value)
        signals += 1
    return EpisodeStats(true_return=total, signals=signals, steps=agent.n_steps)


def train_tamer(env, agent, trainer, n_episodes: int, seed: int, first_episode: int = 0,
                callback: Callable[[int, EpisodeStats], None] | None = None) -> TamerRun:
    """Train ``agent`` for episodes ``first_episode .. n_episodes - 1``, episode k reset with ``seed + k``.

    ``callback(k, stats)`` runs after each episode (progress, checkpoints). ``first_episode`` > 0
    continues a saved run (the caller restores the agent's weights and both generators).
    """
    if isinstance(n_episodes, bool) or not isinstance(n_episodes, int) or n_episodes < 1:
        raise ValueError(f"n_episodes: {n_episodes!r}; allowed: an int >= 1")
    run = TamerRun()
    for k in range(first_episode, n_episodes):
        stats = run_episode(env, agent, trainer, seed + k)
        run.episodes.append(stats)
        if callback is not None:
            callback(k, stats)
    return run


__all__ = ["EpisodeStats", "TamerRun", "run_episode", "train_tamer"]
