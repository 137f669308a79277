"""Balanced interleaving: every prefix is the union of the two rankers' tops with |ka - kb| <= 1."""

import numpy as np

from rlhf_gym.interleaving import all_balanced, balanced, balanced_with_coin


def test_every_prefix_is_the_union_of_both_tops_with_depths_within_one():
    rng = np.random.default_rng(0)
    for _ in range(200):
        docs = int(rng.integers(2, 13))
        a, b = rng.permutation(docs), rng.permutation(docs)
        x = balanced(a, b, rng, length=int(rng.integers(1, docs + 1)))
        assert len(set(x.docs.tolist())) == len(x.docs)
        for m in range(1, len(x.docs) + 1):
            prefix = set(x.docs[:m].tolist())
            assert any(prefix == set(a[:ka].tolist()) | set(b[:kb].tolist())
                       for ka in range(docs + 1) for kb in (ka - 1, ka, ka + 1) if 0 <= kb <= docs), (a, b, x.docs, m)


def test_the_coin_decides_who_goes_first_and_both_tops_are_shown():
    a, b = [0, 1, 2, 3], [1, 4, 5, 0]
    first, second = all_balanced(a, b, 6)
    assert first.docs.tolist() == [0, 1, 4, 2, 5, 3]  # a first: 0; b: 1; a's 1 is shown; b: 4; a: 2; b: 5; a: 3
    assert second.docs.tolist() == [1, 0, 4, 5, 2, 3]  # b: 1; a: 0; b: 4; a's 1 is shown; b: 5; a: 2; ...
    rng = np.random.default_rng(3)
    share = np.mean([balanced(a, b, rng, length=2).docs[0] == 0 for _ in range(4000)])
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 4000)
    assert {0, 1} <= set(balanced_with_coin(a, b, False, 2).docs.tolist())


def test_identical_rankings_interleave_to_themselves():
    a = np.array([4, 2, 0, 1, 3])
    for x in all_balanced(a, a.copy(), 5):
        assert x.docs.tolist() == a.tolist()
