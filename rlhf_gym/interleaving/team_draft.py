"""Team-draft interleaving (Radlinski, Kurup & Joachims, CIKM 2008).

Why: like picking sides for a game, the team with fewer members (a coin decides when they are
equal) adds its highest-ranked document not yet shown; a click then counts for the team that placed
that document. Each ranker's picks are its own top results, and the coin makes the position of a
team's documents independent of which ranker is better, so a click preference is a fair vote.
"""

from __future__ import annotations

import itertools

import numpy as np

from rlhf_gym.interleaving import checks
from rlhf_gym.interleaving.interleaved import Interleaving, build, list_length


def n_coins(length: int) -> int:
    """Coin flips a list of ``length`` may need: one each time the teams are equal, at most every other pick."""
    return (length + 1) // 2


def team_draft(a, b, rng: np.random.Generator, length: int | None = None) -> Interleaving:
    """Interleave rankings ``a`` and ``b`` (document ids, best first) into ``length`` documents
    (default: every document of either), flipping the coins with ``rng``."""
    a, b = checks.ranking("a", a), checks.ranking("b", b)
    rng = checks.generator("rng", rng)
    length = list_length(length, a, b)
    return team_draft_with_coins(a, b, rng.random(n_coins(length)) < 0.5, length)


def team_draft_with_coins(a, b, coins, length: int | None = None) -> Interleaving:
    """Team draft with the coin flips given: ``coins[k]`` True means a picks first at the k-th time the
    teams are equal. When a ranker has no unshown document left, the other one picks."""
    a, b = checks.ranking("a", a), checks.ranking("b", b)
    length = list_length(length, a, b)
    coins = np.asarray(coins, dtype=bool).ravel()
    if coins.size < n_coins(length):
        raise ValueError(f"coins: got {coins.size} coin flips; allowed: at least {n_coins(length)} for length {length}")
    return _draft(a, b, coins.tolist(), length)


def _draft(a: np.ndarray, b: np.ndarray, coins: list, length: int) -> Interleaving:
    """The draft itself, on checked arguments."""
    docs, teams, shown = [], [], set()
    pointer, size, used = [0, 0], [0, 0], 0
    lists = (a.tolist(), b.tolist())
    while len(docs) < length:
        for t in (0, 1):  # skip what is already shown
            while pointer[t] < len(lists[t]) and lists[t][pointer[t]] in shown:
                pointer[t] += 1
        left = [pointer[0] < len(a), pointer[1] < len(b)]
        if size[0] != size[1]:
            team = 0 if size[0] < size[1] else 1
        else:
            team = 0 if coins[used] else 1
            used += 1
        if not left[team]:
            team = 1 - team
        doc = lists[team][pointer[team]]
        docs.append(doc)
        teams.append(team)
        shown.add(doc)
        size[team] += 1
    return build(docs, teams, a, b, "team_draft")


def all_team_drafts(a, b, length: int) -> list[Interleaving]:
    """Every list team draft can show, one per coin sequence: a uniform draw from this list has the
    distribution of ``team_draft(a, b, rng, length)`` (some lists repeat when a coin goes unused)."""
    a, b = checks.ranking("a", a), checks.ranking("b", b)
    length = list_length(length, a, b)
    return [_draft(a, b, list(coins), length) for coins in itertools.product((True, False), repeat=n_coins(length))]
