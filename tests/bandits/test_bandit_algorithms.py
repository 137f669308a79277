"""Each algorithm's regret is sublinear and far below a uniformly random duel's; runs are seeded."""

import numpy as np
import pytest

from rlhf_gym.bandits import ALGORITHMS, bradley_terry_matrix, builtin_instance, regret_table, run_dueling_bandit

EASY = bradley_terry_matrix(np.linspace(0.0, 6.0, 5))  # arm 4 best; gaps >= 0.32
T = 4000
# Final regret as a fraction of a uniformly random duel's (measured: IF2 0.26, RUCB 0.03, RMED1 0.01, CCB 0.03).
BOUNDS = {"if2": 0.35, "rucb": 0.1, "rmed1": 0.1, "ccb": 0.1}


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_regret_is_sublinear_on_an_easy_instance(name):
    curves = run_dueling_bandit(name, EASY, T, 8, seed=1).strong_regret
    mean = curves.mean(axis=0)
    uniform = regret_table(EASY, "strong").mean() * T
    assert mean[-1] < BOUNDS[name] * uniform
    assert mean[-1] - mean[T // 2 - 1] < 0.5 * mean[T // 2 - 1]  # the second half costs far less


def test_ccb_finds_the_copeland_winner_without_a_condorcet_winner():
    p = builtin_instance("copeland")
    mean = run_dueling_bandit("ccb", p, T, 8, seed=1).copeland_regret.mean(axis=0)
    assert mean[-1] < 0.6 * regret_table(p, "copeland").mean() * T  # measured 0.44
    assert mean[-1] - mean[T // 2 - 1] < 0.7 * mean[T // 2 - 1]  # measured 0.51


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_same_seed_same_curves(name):
    a, b, c = (run_dueling_bandit(name, EASY, 300, 4, seed=s) for s in (7, 7, 8))
    assert np.array_equal(a.strong_regret, b.strong_regret) and np.array_equal(a.first, b.first)
    assert not np.array_equal(a.first_won, c.first_won)
    assert a.strong_regret.shape == a.weak_regret.shape == a.copeland_regret.shape == (4, 300)


def test_runs_are_independent_and_curves_cumulative():
    result = run_dueling_bandit("rucb", EASY, 200, 6, seed=3)
    assert len({tuple(row) for row in result.first}) > 1
    assert (np.diff(result.strong_regret, axis=1) >= 0).all()


@pytest.mark.parametrize("kwargs, words", [
    ({"name": "ucb"}, "name: got 'ucb'; allowed"),
    ({"horizon": 0}, "horizon: got 0; allowed: an integer >= 1"),
    ({"n_runs": -1}, "n_runs: got -1"),
    ({"preferences": [[0.5, 0.9], [0.9, 0.5]]}, "preferences"),
    ({"seed": -2}, "seed: got -2"),
])
def test_bad_arguments(kwargs, words):
    args = {"name": "rucb", "preferences": EASY, "horizon": 10, "n_runs": 2, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        run_dueling_bandit(**args)
