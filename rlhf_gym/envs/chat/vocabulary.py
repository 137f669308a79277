"""The toy chat world: topics, a small vocabulary, the built-in prompts and their observation encoding.

Why prompts are pairs of topics: a prompt "talk about weather and music" has two right answers
("rain", "jazz"), and an unseen pair of known topics is a fair held-out prompt — a policy that
learned *which word goes with which topic* answers it, a policy that memorised prompt ids does not.
Everything here is plain numpy so that the env stays light (no torch, no SB3).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

TOPICS = ("weather", "food", "music", "sport", "travel", "money", "health", "code")
CONTENT = ("rain", "pasta", "jazz", "goal", "train", "bank", "sleep", "python")  # CONTENT[k] answers TOPICS[k]
FILLER = ("well", "so", "I", "think", "really")
END = 0
TOKENS = ("<end>", *CONTENT, *FILLER)
N_TOPICS = len(TOPICS)
VOCAB = len(TOKENS)
EMPTY = VOCAB  # an observation slot not written yet
MAX_LENGTH = 10  # tokens per reply, <end> included; the 10th token ends the reply whatever it is
CONTENT_IDS = np.arange(1, 1 + N_TOPICS)  # token id of CONTENT[k] is k + 1
FILLER_IDS = np.arange(1 + N_TOPICS, VOCAB)

# Every pair of topics is a prompt; every 4th (in this fixed order) is held out: 21 train, 7 held out.
PROMPTS = np.array(list(combinations(range(N_TOPICS), 2)), dtype=np.int64)
HELD_OUT = np.arange(len(PROMPTS)) % 4 == 3
SPLITS = {
    "train": np.flatnonzero(~HELD_OUT),
    "held_out": np.flatnonzero(HELD_OUT),
    "all": np.arange(len(PROMPTS)),
}


def prompt_ids(split: str) -> np.ndarray:
    """The prompt indices of a split: ``"train"``, ``"held_out"`` or ``"all"``."""
    if split not in SPLITS:
        raise ValueError(f"prompts={split!r}; allowed: {sorted(SPLITS)}")
    return SPLITS[split]


def encode(prompts: np.ndarray, tokens: np.ndarray, n_written: np.ndarray) -> np.ndarray:
    """Observations (N, N_TOPICS + MAX_LENGTH): the prompt's topics as 0/1, then the reply's slots.

    ``tokens`` (N, MAX_LENGTH) holds each reply's tokens; only the first ``n_written[i]`` are shown,
    the other slots read ``EMPTY``.
    """
    prompts = np.asarray(prompts, dtype=np.int64).reshape(-1)
    n = len(prompts)
    obs = np.zeros((n, N_TOPICS + MAX_LENGTH), dtype=np.int64)
    obs[np.arange(n)[:, None], PROMPTS[prompts]] = 1
    slots = np.where(np.arange(MAX_LENGTH)[None, :] < np.asarray(n_written).reshape(-1, 1), tokens, EMPTY)
    obs[:, N_TOPICS:] = slots
    return obs


def decode(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(topic pairs (N, 2), slots (N, MAX_LENGTH)) from observations (N, N_TOPICS + MAX_LENGTH)."""
    obs = np.asarray(obs).astype(np.int64).reshape(-1, N_TOPICS + MAX_LENGTH)
    topics = np.sort(np.argsort(-obs[:, :N_TOPICS], axis=1, kind="stable")[:, :2], axis=1)
    return topics, obs[:, N_TOPICS:]


def prompt_of_topics(topics: np.ndarray) -> np.ndarray:
    """Prompt index of each sorted topic pair (N, 2)."""
    table = -np.ones((N_TOPICS, N_TOPICS), dtype=np.int64)
    table[PROMPTS[:, 0], PROMPTS[:, 1]] = np.arange(len(PROMPTS))
    return table[topics[:, 0], topics[:, 1]]


def words(tokens) -> list[int]:
    """The reply's words: its tokens before the first ``<end>`` or empty slot."""
    out = []
    for t in np.asarray(tokens).reshape(-1):
        if t == END or t >= EMPTY:
            break
        out.append(int(t))
    return out


def text(prompt: int, tokens) -> str:
    """A readable line: ``weather+music: well rain jazz <end>``."""
    a, b = PROMPTS[int(prompt)]
    shown = [TOKENS[int(t)] for t in np.asarray(tokens).reshape(-1) if t < EMPTY]
    return f"{TOPICS[a]}+{TOPICS[b]}: {' '.join(shown)}"
