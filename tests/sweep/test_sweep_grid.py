"""The grid and the bootstrap table, without running anything."""

import numpy as np
import pytest

from rlhf_gym.sweep import bootstrap_interval, cells, parse_grid, summarize


def test_cells_are_every_combination_in_order():
    grid = parse_grid(["labels=300,900", "reward.scale=0.1,1,10"])
    cs = cells(grid)
    assert len(cs) == 6
    assert cs[0].values == (("labels", "300"), ("reward.scale", "0.1"))
    assert cs[-1].train_args() == ["--labels", "900", "--set", "reward.scale=10"]
    assert cs[1].name == "labels=300,reward.scale=1"
    assert [c.name for c in cells([])] == ["base"]


@pytest.mark.parametrize("item, words", [
    ("labels=", "at least one non-empty value"), ("labels", "KEY=V1,V2"), ("=3", "KEY=V1,V2"),
    ("labels=1,,2", "non-empty"), ("seed=1,2", "--seeds"), ("labels=3,3", "distinct values"),
])
def test_bad_grid_is_one_clear_message(item, words):
    with pytest.raises(ValueError, match="--grid") as err:
        parse_grid([item])
    assert words in str(err.value)


def test_a_key_given_twice_is_refused():
    with pytest.raises(ValueError, match="given twice"):
        parse_grid(["error-rate=0.1", "error_rate=0.2"])


def test_bootstrap_interval_matches_the_normal_interval_on_many_seeds():
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 2.0, size=400)
    low, high = bootstrap_interval(x, np.random.default_rng(0))
    half = 1.96 * x.std() / np.sqrt(x.size)
    assert low < x.mean() < high
    assert abs((high - low) / 2 - half) < 0.1 * half


def test_bootstrap_interval_covers_the_true_mean_about_95_percent():
    rng = np.random.default_rng(2)
    hits = sum(low <= 0.7 <= high for low, high in
               (bootstrap_interval(rng.binomial(1, 0.7, size=40), rng) for _ in range(200)))
    assert 0.88 <= hits / 200 <= 0.99


def test_summary_keeps_every_seed_and_reports_failures():
    table = [{"cell": "base", "label": "(preset)", "seeds": [
        {"seed": 0, "run": "a", "results": {"success_rate": 1.0, "wall_seconds": 10.0, "env": "x"}, "error": None},
        {"seed": 1, "run": "b", "results": {"success_rate": 0.5, "wall_seconds": 30.0}, "error": None},
        {"seed": 2, "run": "c", "results": None, "error": "exit status 1: boom"}]}]
    s = summarize(table)["cells"][0]
    assert s["finished"] == 2
    assert s["stats"]["success_rate"]["per_seed"] == [1.0, 0.5]
    assert s["stats"]["success_rate"]["mean"] == 0.75
    assert s["stats"]["wall_seconds"]["median"] == 20.0
    assert 0.5 <= s["stats"]["success_rate"]["ci95"][0] <= s["stats"]["success_rate"]["ci95"][1] <= 1.0
    assert "env" not in s["stats"]
