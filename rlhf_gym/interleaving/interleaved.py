"""``Interleaving``: the list a user sees when two rankers are compared in one session, and who gets credit.

Why one type for both methods: team draft credits a click to the team that placed the document,
balanced interleaving (Joachims' rule) to the rankers whose top-k holds it; keeping the teams and
both rankers' ranks of every shown document lets either rule score any click vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ABSENT = np.iinfo(np.int32).max  # the rank of a document a ranker did not return: below every real rank


@dataclass(frozen=True)
class Interleaving:
    """``docs`` (L,) the shown document ids, top first; ``teams`` (L,) 0 where ranker a placed the
    document, 1 where b did; ``rank_a``/``rank_b`` (L,) its 1-based rank in a and b (``ABSENT`` if not
    there); ``method`` "team_draft" or "balanced", which names the credit rule ``outcome`` applies."""

    docs: np.ndarray
    teams: np.ndarray
    rank_a: np.ndarray
    rank_b: np.ndarray
    method: str

    def outcome(self, clicks) -> np.ndarray:
        """+1 where a wins the session, -1 where b wins, 0 for a tie (no clicks, or equal credit);
        ``clicks`` is a bool array (..., L), one row per session shown this list."""
        from rlhf_gym.interleaving.credit import balanced_credit, team_draft_credit

        if self.method == "team_draft":
            return team_draft_credit(clicks, self.teams)
        return balanced_credit(clicks, self.rank_a, self.rank_b)


def build(docs: list, teams: list, a: np.ndarray, b: np.ndarray, method: str) -> Interleaving:
    """An ``Interleaving`` from the picked documents and teams, with each document's rank in a and b."""
    docs = np.asarray(docs, dtype=np.intp)
    position_a = {d: r + 1 for r, d in enumerate(a.tolist())}
    position_b = {d: r + 1 for r, d in enumerate(b.tolist())}
    rank_a = np.array([position_a.get(d, ABSENT) for d in docs.tolist()], dtype=np.int64)
    rank_b = np.array([position_b.get(d, ABSENT) for d in docs.tolist()], dtype=np.int64)
    return Interleaving(docs, np.asarray(teams, dtype=np.int8), rank_a, rank_b, method)


def list_length(length, a: np.ndarray, b: np.ndarray) -> int:
    """The number of documents to show: ``length``, or (None) every document of a and b."""
    from rlhf_gym.interleaving.checks import positive_int

    available = len(np.union1d(a, b))
    if length is None:
        return available
    length = positive_int("length", length)
    if length > available:
        raise ValueError(f"length: got {length}; allowed: an integer from 1 to {available} "
                         "(the number of distinct documents in a and b)")
    return length
