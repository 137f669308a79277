"""Team draft: balanced teams in every prefix, no duplicates, each pick is its team's best unshown
document, both top documents shown, and the coin makes every list equally likely."""

import numpy as np
import pytest

from rlhf_gym.interleaving import all_team_drafts, team_draft, team_draft_with_coins


def random_pairs(rng, n=200):
    for _ in range(n):
        docs = rng.integers(2, 15)
        yield rng.permutation(docs), rng.permutation(docs), int(rng.integers(1, docs + 1))


def test_every_prefix_has_team_sizes_within_one_and_no_duplicates():
    rng = np.random.default_rng(0)
    for a, b, length in random_pairs(rng):
        x = team_draft(a, b, rng, length=length)
        assert len(x.docs) == length and len(set(x.docs.tolist())) == length
        sizes = np.cumsum(np.stack([x.teams == 0, x.teams == 1]), axis=1)
        assert np.abs(sizes[0] - sizes[1]).max() <= 1


def test_each_pick_is_its_teams_best_unshown_document_and_both_tops_are_shown():
    rng = np.random.default_rng(1)
    for a, b, _ in random_pairs(rng):
        x = team_draft(a, b, rng, length=min(len(a), 2 + int(rng.integers(0, len(a) - 1))))
        for i, (doc, team) in enumerate(zip(x.docs, x.teams)):
            ranking = a if team == 0 else b
            best_unshown = next(d for d in ranking if d not in x.docs[:i])
            assert doc == best_unshown
        assert a[0] in x.docs and b[0] in x.docs


def test_rankings_over_different_documents_show_every_document():
    a, b = [5, 1, 2], [7, 1, 8, 9, 3]
    x = team_draft(a, b, np.random.default_rng(0))
    assert sorted(x.docs.tolist()) == [1, 2, 3, 5, 7, 8, 9]
    assert x.rank_a.tolist()[x.docs.tolist().index(5)] == 1 and x.rank_b.tolist()[x.docs.tolist().index(9)] == 4


def test_the_coin_gives_each_ranker_the_first_slot_half_the_time():
    a, b = np.arange(6), np.array([3, 1, 0, 5, 4, 2])
    rng = np.random.default_rng(2)
    first_a = np.mean([team_draft(a, b, rng, length=4).teams[0] == 0 for _ in range(4000)])
    assert abs(first_a - 0.5) < 4 * np.sqrt(0.25 / 4000)
    lists = {tuple(x.docs) for x in all_team_drafts(a, b, 4)}
    assert {tuple(team_draft(a, b, rng, length=4).docs) for _ in range(200)} == lists  # every list is reachable


def test_coins_decide_and_same_seed_same_list():
    a, b = [0, 1, 2, 3], [1, 0, 3, 2]
    assert team_draft_with_coins(a, b, [True, True]).docs.tolist() == [0, 1, 2, 3]
    assert team_draft_with_coins(a, b, [False, True]).docs.tolist() == [1, 0, 2, 3]
    assert team_draft_with_coins(a, b, [False, False]).teams.tolist() == [1, 0, 1, 0]
    x, y = (team_draft(np.arange(9), np.arange(9)[::-1], np.random.default_rng(5)) for _ in range(2))
    assert np.array_equal(x.docs, y.docs) and np.array_equal(x.teams, y.teams)


@pytest.mark.parametrize("coins", [[True], []])
def test_too_few_coins_is_an_error(coins):
    with pytest.raises(ValueError, match=r"coins: got \d coin flips; allowed: at least 2 for length 4"):
        team_draft_with_coins([0, 1, 2, 3], [3, 2, 1, 0], coins)
