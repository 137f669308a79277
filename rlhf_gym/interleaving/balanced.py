"""Balanced interleaving (Joachims, KDD 2002; the form of Radlinski, Kurup & Joachims, CIKM 2008).

Why: one coin decides which ranker goes first; then the two rankers take turns by rank, each adding
its next document unless it is already shown, so every prefix of the list is the union of the top
``ka`` of a and top ``kb`` of b with ``|ka - kb| <= 1``. Credit then goes by Joachims' rule on the
ranks (``credit.balanced_credit``), not by who placed a document.
"""

from __future__ import annotations

import numpy as np

from rlhf_gym.interleaving import checks
from rlhf_gym.interleaving.interleaved import Interleaving, build, list_length


def balanced(a, b, rng: np.random.Generator, length: int | None = None) -> Interleaving:
    """Interleave rankings ``a`` and ``b`` (document ids, best first) into ``length`` documents
    (default: every document of either); ``rng`` flips the coin for who goes first."""
    a, b = checks.ranking("a", a), checks.ranking("b", b)
    rng = checks.generator("rng", rng)
    return balanced_with_coin(a, b, bool(rng.random() < 0.5), length)


def balanced_with_coin(a, b, a_first: bool, length: int | None = None) -> Interleaving:
    """Balanced interleaving with the coin given (``a_first``: a adds the first document).
    ``teams`` records which ranker's turn added each document (the credit does not use it)."""
    a, b = checks.ranking("a", a), checks.ranking("b", b)
    length = list_length(length, a, b)
    docs, teams, shown = [], [], set()
    ka = kb = 0
    while len(docs) < length:
        take_a = ka < kb or (ka == kb and a_first)
        if take_a and ka >= len(a):
            take_a = False
        elif not take_a and kb >= len(b):
            take_a = True
        doc = int(a[ka]) if take_a else int(b[kb])
        if take_a:
            ka += 1
        else:
            kb += 1
        if doc not in shown:
            docs.append(doc)
            teams.append(0 if take_a else 1)
            shown.add(doc)
    return build(docs, teams, a, b, "balanced")


def all_balanced(a, b, length: int) -> list[Interleaving]:
    """Both lists balanced interleaving can show (a first, b first), equally likely."""
    return [balanced_with_coin(a, b, True, length), balanced_with_coin(a, b, False, length)]
