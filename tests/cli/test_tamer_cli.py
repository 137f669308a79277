"""``rlhf-gym tamer``: results.json per training episode, saved weights, and one-line errors."""

import json

import numpy as np
import pytest

from rlhf_gym import cli
from rlhf_gym.algorithms.tamer import WEIGHTS_FILE


@pytest.fixture()
def main():
    return cli.main


def test_tamer_writes_results_and_weights(tmp_path, main, capsys):
    out = tmp_path / "run"
    argv = ["tamer", "--env", "rlhf_gym/GridWorld-v0", "--trainer", "simulated", "--episodes", "4", "--seed", "1",
            "--seconds-per-step", "1", "--out", str(out)]
    assert main(argv) == 0
    res = json.loads((out / "results.json").read_text())
    assert len(res["episode_returns"]) == 4 and len(res["signals_per_episode"]) == 4
    assert res["labels_used"] == sum(res["signals_per_episode"]) > 0
    for key in ("true_return_mean", "true_return_std", "wall_seconds"):
        assert np.isfinite(res[key])
    with np.load(out / WEIGHTS_FILE, allow_pickle=False) as data:
        assert data["weights"].shape == (len(data["feature_names"]),) and np.abs(data["weights"]).sum() > 0
    assert "TAMER on rlhf_gym/GridWorld-v0" in capsys.readouterr().out


def test_resume_continues_to_the_same_numbers_as_one_run(tmp_path, main):
    common = ["tamer", "--env", "rlhf_gym/Tetris-v0", "--env-kwargs", '{"max_pieces": 60}', "--seed", "3",
              "--seconds-per-step", "2", "--eval-episodes", "1"]
    assert main(common + ["--episodes", "3", "--out", str(tmp_path / "once")]) == 0
    assert main(common + ["--episodes", "2", "--out", str(tmp_path / "twice")]) == 0
    assert main(common + ["--episodes", "3", "--out", str(tmp_path / "twice"), "--resume"]) == 0
    once, twice = (json.loads((tmp_path / name / "results.json").read_text()) for name in ("once", "twice"))
    assert once["episode_returns"] == twice["episode_returns"] and len(once["episode_returns"]) == 3
    assert once["signals_per_episode"] == twice["signals_per_episode"]


@pytest.mark.parametrize("argv, fragment", [
    (["--trainer", "human", "--error-rate", "0.2"], "--error-rate: given with --trainer human; allowed only with"),
    (["--trainer", "robot"], "--trainer"),
    (["--episodes", "0"], "--episodes"),
    (["--feedback-probability", "0"], "--feedback-probability"),
    (["--error-rate", "0.7"], "--error-rate"),
    (["--seconds-per-step", "-1"], "--seconds-per-step"),
    (["--env", "rlhf_gym/Backflip-v0"], "allowed: rlhf_gym/Tetris-v0"),
    (["--env", "NoSuchEnv-v9"], "NoSuchEnv-v9"),
    (["--env-kwargs", "{bad"], "--env-kwargs"),
])
def test_bad_input_is_one_line_naming_the_option(tmp_path, main, capsys, argv, fragment):
    assert main(["tamer", "--out", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_an_out_folder_with_a_run_needs_resume(tmp_path, main, capsys):
    (tmp_path / "results.json").write_text("{}")
    assert main(["tamer", "--env", "rlhf_gym/GridWorld-v0", "--out", str(tmp_path)]) == 2
    assert "--resume" in capsys.readouterr().err
