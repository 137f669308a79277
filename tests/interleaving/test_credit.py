"""Credit on hand-made click vectors: team draft counts clicks per team, balanced applies Joachims' rule."""

import numpy as np
import pytest

from rlhf_gym.interleaving import balanced_credit, balanced_with_coin, team_draft_credit, team_draft_with_coins

C = np.array  # a click vector


def test_team_draft_counts_clicks_per_team():
    teams = C([0, 1, 0, 1])
    clicks = C([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0], [1, 1, 1, 0]], dtype=bool)
    assert team_draft_credit(clicks, teams).tolist() == [1, 0, -1, 0, 1]


def test_interleaving_outcome_uses_the_methods_rule():
    x = team_draft_with_coins([0, 1, 2, 3], [1, 0, 3, 2], [False, True])  # [1 (b), 0 (a), 2 (a), 3 (b)]
    assert x.outcome(C([[True, False, False, False], [False, True, True, True]])).tolist() == [-1, 1]


# a = [0, 1, 2, 3], b = [1, 4, 5, 0], a first -> shown [0, 1, 4, 2, 5, 3]
@pytest.mark.parametrize("clicked, expected, why", [
    ([4], -1, "lowest click 4: k = min(inf, 2) = 2; a's top 2 {0, 1} has none, b's {1, 4} one"),
    ([0, 2], 1, "lowest click 2: k = 3; a's top 3 {0, 1, 2} has two, b's {1, 4, 5} none"),
    ([1], -1, "lowest click 1: k = min(2, 1) = 1; a's top 1 {0} none, b's {1} one"),
    ([0, 1], 0, "lowest click 1: k = 1; one each"),
    ([3, 1], 1, "lowest click 3: k = 4; a's top 4 has both, b's {1, 4, 5, 0} only 1"),
    ([], 0, "no click: a tie"),
])
def test_joachims_rule(clicked, expected, why):
    x = balanced_with_coin([0, 1, 2, 3], [1, 4, 5, 0], True, 6)
    clicks = np.isin(x.docs, clicked)
    assert balanced_credit(clicks, x.rank_a, x.rank_b).item() == expected, why
    assert x.outcome(clicks[None]).tolist() == [expected]


def test_credit_is_vectorised_over_sessions():
    rng = np.random.default_rng(0)
    x = balanced_with_coin([0, 1, 2, 3], [1, 4, 5, 0], True, 6)
    clicks = rng.random((50, 6)) < 0.3
    one_by_one = [balanced_credit(row, x.rank_a, x.rank_b).item() for row in clicks]
    assert balanced_credit(clicks, x.rank_a, x.rank_b).tolist() == one_by_one


@pytest.mark.parametrize("call, words", [
    (lambda: team_draft_credit(C([1, 0, 1]), C([0, 1, 0])), "clicks: got an array of dtype int64 and shape \\(3,\\)"),
    (lambda: team_draft_credit(C([True, False]), C([0, 1, 0])), "allowed: a bool array whose last axis has the list's length 3"),
    (lambda: team_draft_credit(C([True, False]), C([0, 2])), "teams: got .*allowed: an array of 0 \\(ranker a\\) and 1"),
    (lambda: balanced_credit(C([True]), C([1]), C([0])), "rank_a, rank_b: got shapes"),
])
def test_bad_credit_input(call, words):
    with pytest.raises(ValueError, match=words):
        call()
