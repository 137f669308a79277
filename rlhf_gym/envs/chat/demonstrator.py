"""Who writes the demonstrations for supervised fine-tuning, and the env's expert.

``Demonstrator``: a decent-but-imperfect writer. For each of the prompt's two topics it names the
right word only with probability ``p_content`` (often with a filler word before it: "well rain"),
adds another topic's word with probability ``p_off_topic`` and sometimes opens with a filler. Its
replies never pass ``COMFORT_LENGTH`` words, and the ones with more right words are longer — the
surface correlation the reward model can be fooled by (see ``preference``).

``ChatExpert``: what ``expert_for(env)`` should return — the labeller's ideal reply, the prompt's two
right words and ``<end>``, with the SB3 ``predict`` call over a batch of observations.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.envs.chat.preference import COMFORT_LENGTH
from rlhf_gym.envs.chat.vocabulary import (
    CONTENT_IDS, EMPTY, END, FILLER_IDS, MAX_LENGTH, N_TOPICS, PROMPTS, decode,
)


def _probability(name: str, value) -> float:
    if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name}={value!r}; allowed: a probability in [0, 1]")
    return float(value)


class Demonstrator:
    """Writes one reply per prompt with ``write(prompts, rng) -> tokens (N, MAX_LENGTH)``."""

    def __init__(self, p_content: float = 0.5, p_off_topic: float = 0.3, p_filler: float = 0.9,
                 p_opening: float = 0.1) -> None:
        self.p_content = _probability("p_content", p_content)
        self.p_off_topic = _probability("p_off_topic", p_off_topic)
        self.p_filler = _probability("p_filler", p_filler)
        self.p_opening = _probability("p_opening", p_opening)

    def _reply(self, prompt: int, rng: np.random.Generator) -> list[int]:
        a, b = PROMPTS[prompt]
        chunks = []
        for topic in (a, b):
            if rng.random() < self.p_content:
                filler = [int(rng.choice(FILLER_IDS))] if rng.random() < self.p_filler else []
                chunks.append(filler + [int(CONTENT_IDS[topic])])
        if rng.random() < self.p_off_topic:
            other = rng.choice([k for k in range(N_TOPICS) if k not in (a, b)])
            chunks.append([int(CONTENT_IDS[other])])
        words = [int(rng.choice(FILLER_IDS))] if rng.random() < self.p_opening else []
        for i in rng.permutation(len(chunks)):
            words += chunks[i]
        return words[:COMFORT_LENGTH] + [END]

    def write(self, prompts, rng: np.random.Generator) -> np.ndarray:
        prompts = np.asarray(prompts, dtype=np.int64).reshape(-1)
        tokens = np.full((len(prompts), MAX_LENGTH), EMPTY, dtype=np.int64)
        for i, prompt in enumerate(prompts):
            reply = self._reply(int(prompt), rng)
            tokens[i, :len(reply)] = reply
        return tokens


class ChatExpert:
    """The ideal reply, token by token: the first right word not yet said, then the other, then ``<end>``."""

    def __init__(self, env=None) -> None:
        self.env = env

    def predict(self, observation, state=None, episode_start=None, deterministic=True):
        obs = np.asarray(observation)
        single = obs.ndim == 1
        topics, slots = decode(obs)
        actions = np.full(len(topics), END, dtype=np.int64)
        for i, pair in enumerate(topics):
            said = set(slots[i][slots[i] < EMPTY].tolist())
            missing = [int(CONTENT_IDS[t]) for t in pair if int(CONTENT_IDS[t]) not in said]
            if missing:
                actions[i] = missing[0]
        return (actions[0] if single else actions), state
