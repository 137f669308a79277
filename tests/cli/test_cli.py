"""The rlhf-gym console script: play records real files; bad input names what was wrong."""

import json

import imageio.v2 as imageio
import numpy as np
import pytest

from rlhf_gym.cli import main
from rlhf_gym.commands import common


@pytest.mark.parametrize("env_id", ["rlhf_gym/GridWorld-v0", "rlhf_gym/Backflip-v0"])
def test_play_records_a_gif_of_expert_rollouts(tmp_path, env_id, capsys):
    out = tmp_path / "rollout.gif"
    assert main(["play", env_id, "--policy", "expert", "--episodes", "1", "--record", str(out), "--headless"]) == 0
    frames = imageio.mimread(out)
    assert len(frames) > 5
    assert not np.array_equal(frames[0], frames[len(frames) // 2])  # the agent moved
    assert "true return" in capsys.readouterr().out


def test_play_in_a_window_under_the_dummy_driver(capsys):
    assert main(["play", "rlhf_gym/GridWorld-v0", "--policy", "random", "--fps", "1000"]) == 0
    assert "episode 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["play", "rlhf_gym/GridWorld-v0", "--policy", "genius"], "--policy"),
        (["play", "NoSuchEnv-v9"], "NoSuchEnv-v9"),
        (["play", "rlhf_gym/GridWorld-v0", "--env-kwargs", "{slip: 1"], "--env-kwargs"),
        (["play", "rlhf_gym/GridWorld-v0", "--env-kwargs", "[1]"], "JSON object"),
        (["play", "rlhf_gym/GridWorld-v0", "--record", "x.avi", "--headless"], ".avi"),
        (["play", "rlhf_gym/GridWorld-v0", "--episodes", "0"], "--episodes"),
    ],
)
def test_bad_input_is_reported_with_its_name(argv, fragment, capsys):
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_results_json_requires_the_documented_keys(tmp_path):
    with pytest.raises(ValueError, match="labels_used"):
        common.write_results(tmp_path, {"true_return_mean": 1.0, "true_return_std": 0.0, "wall_seconds": 1.0})
    with pytest.raises(ValueError, match="finite"):
        common.write_results(tmp_path, {"true_return_mean": float("nan"), "true_return_std": 0.0, "labels_used": 0, "wall_seconds": 1.0})
    path = common.write_results(tmp_path, {"true_return_mean": 1.5, "true_return_std": 0.5, "labels_used": 3, "wall_seconds": 2.0})
    assert json.loads(path.read_text())["labels_used"] == 3


def test_format_table_is_markdown():
    text = common.format_table(["a", "b"], [["x", 1.23456]])
    assert text.splitlines() == ["| a | b |", "|---|---|", "| x | 1.235 |"]


@pytest.mark.slow
def test_demo_quick_runs_both_acts_and_keeps_its_labels(tmp_path, capsys):
    assert main(["demo", "--quick", "--episodes", "3", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "demo.json").read_text())
    assert summary["labels_used"] == 90
    from rlhf_gym.feedback import LabelStore

    stored = LabelStore(tmp_path / "labels.jsonl", read_only=True)  # every teacher answer was written as it arrived
    assert len(stored.records) == 90 and stored.env_id == "rlhf_gym/Backflip-v0"
    assert summary["backflip"]["expert (scripted)"]["success_rate"] >= 0.9
    assert summary["gridworld"]["expert (value iteration)"]["true_return_mean"] > 0.9
    assert len(imageio.mimread(tmp_path / "backflip_rlhf.gif")) > 50
    assert "backflip success" in capsys.readouterr().out


def test_play_a_saved_sb3_model(tmp_path, capsys):
    import gymnasium as gym
    from stable_baselines3 import PPO

    model = PPO("MlpPolicy", gym.make("rlhf_gym/GridWorld-v0"), n_steps=64, batch_size=64, seed=0, device="cpu")
    model.save(tmp_path / "agent.zip")
    out = tmp_path / "agent.gif"
    argv = ["play", "rlhf_gym/GridWorld-v0", "--policy", str(tmp_path / "agent.zip"), "--record", str(out), "--headless"]
    assert main(argv) == 0
    assert out.exists() and "episode 0: true return" in capsys.readouterr().out


# --------------------------------------------------------------------------- one-line errors, exit 2
GRID = "rlhf_gym/GridWorld-v0"


def _one_line_error(argv, command, option, capsys):
    """main(argv) exits with 2 and says ``rlhf-gym COMMAND: error: OPTION...`` on one line, no traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "\n" not in err, err
    assert err.startswith(f"rlhf-gym {command}: error: {option}"), err
    return err


@pytest.mark.parametrize("argv, option", [
    (["--seed", "-1"], "--seed"),
    (["--seed", "x"], "--seed"),
    (["--threads", "0"], "--threads"),
    (["--env", "NoSuchEnv-v9"], "--env"),
    (["--env-kwargs", "{slip: 1"], "--env-kwargs"),
    (["--env-kwargs", '{"no_such_kwarg": 1}'], "--env-kwargs"),
    (["--demos-path", "no/such/demos"], "--demos-path"),
    (["--expert", "no/such/expert.zip"], "--expert"),
    (["--expert-algo", "SAC"], "--expert-algo"),
    (["--method", "genius"], "--method"),
])
def test_imitate_bad_arguments_are_one_line(argv, option, tmp_path, capsys):
    argv = ["imitate", *(["--method", "bc"] if "--method" not in argv else []), *argv, "--out", str(tmp_path / "run")]
    _one_line_error(argv, "imitate", option, capsys)
    assert not (tmp_path / "run").exists()  # refused before any work


@pytest.mark.parametrize("method, extra", [
    ("bc", ["--ask-once"]), ("bc", ["--rounds", "3"]), ("bc", ["--beta", "linear"]), ("bc", ["--budget", "5"]),
    ("bc", ["--episodes-per-round", "2"]), ("bc", ["--epsilon", "0.1"]), ("bc", ["--reward", "mlp"]),
    ("bc", ["--iters", "5"]), ("bc", ["--show", "1"]), ("dagger", ["--demos", "5"]), ("maxent", ["--epsilon", "0.1"]),
    ("maxent", ["--algo", "PPO"]), ("maxent", ["--epochs", "3"]), ("apprenticeship", ["--reward", "linear"]),
    ("apprenticeship", ["--lr", "0.1"]),
])
def test_imitate_options_of_another_method_are_an_error(method, extra, tmp_path, capsys):
    argv = ["imitate", "--method", method, "--env", GRID, *extra, "--out", str(tmp_path / "run")]
    err = _one_line_error(argv, "imitate", extra[0], capsys)
    assert f"given with --method {method}" in err


def test_imitate_demos_and_demos_path_together_are_an_error(tmp_path, capsys):
    argv = ["imitate", "--method", "bc", "--demos", "3", "--demos-path", str(tmp_path), "--out", str(tmp_path / "r")]
    _one_line_error(argv, "imitate", "--demos", capsys)


def test_imitate_checks_the_learner_class_against_the_action_space(tmp_path, capsys):
    argv = ["imitate", "--method", "bc", "--algo", "DQN", "--env", "rlhf_gym/Backflip-v0", "--out", str(tmp_path / "r")]
    err = _one_line_error(argv, "imitate", "--algo", capsys)
    assert "DQN needs Discrete" in err and "allowed here: PPO, A2C, SAC, TD3, DDPG" in err
    (tmp_path / "expert.zip").write_bytes(b"")  # never opened: the class is checked first
    argv = ["imitate", "--method", "bc", "--env", "rlhf_gym/Backflip-v0", "--expert", str(tmp_path / "expert.zip"),
            "--expert-algo", "DQN", "--out", str(tmp_path / "r")]
    _one_line_error(argv, "imitate", "--expert-algo", capsys)
    assert not (tmp_path / "r").exists()


def test_out_must_be_a_new_or_empty_folder_unless_resume(tmp_path, capsys):
    afile = tmp_path / "README.md"
    afile.write_text("mine")
    base = ["imitate", "--method", "apprenticeship", "--env", GRID, "--iters", "2", "--eval-episodes", "1"]
    err = _one_line_error([*base, "--out", str(afile)], "imitate", "--out", capsys)
    assert "is a file" in err and afile.read_text() == "mine"
    run = tmp_path / "run"
    assert main([*base, "--demos", "2", "--out", str(run)]) == 0
    capsys.readouterr()
    err = _one_line_error([*base, "--demos", "3", "--out", str(run)], "imitate", "--out", capsys)
    assert "--resume" in err
    # --resume continues: the two episodes on disk are kept and only the third is collected,
    # the same three episodes as one uninterrupted run.
    assert main([*base, "--demos", "3", "--out", str(run), "--resume"]) == 0
    assert main([*base, "--demos", "3", "--out", str(tmp_path / "straight")]) == 0
    resumed = (run / "demos" / "episodes.jsonl").read_text()
    assert resumed.count("\n") == 3 and resumed == (tmp_path / "straight" / "demos" / "episodes.jsonl").read_text()
    assert json.loads((run / "results.json").read_text())["demo_episodes"] == 3


def test_default_run_folder_is_named_from_command_env_seed_and_local_time(tmp_path, monkeypatch):
    import argparse
    import re

    monkeypatch.chdir(tmp_path)
    path = common.out_dir(argparse.Namespace(out=None, env="rlhf_gym/LavaMaze-v0", seed=3), "imitate")
    assert path.is_dir() and path.parent.name == "runs"
    assert re.fullmatch(r"imitate__rlhf_gym_LavaMaze-v0__seed3__\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d", path.name)
    (path / "results.json").write_text("{}")
    again = common.out_dir(argparse.Namespace(out=None, env="rlhf_gym/LavaMaze-v0", seed=3), "imitate")
    assert again != path or not any(again.iterdir())  # a second run never writes into the first one's folder


@pytest.mark.parametrize("argv, option", [
    (["--policy", "missing.zip"], "--policy"),
    (["--fps", "-5"], "--fps"),
    (["--fps", "0"], "--fps"),
    (["--episodes", "0"], "--episodes"),
    (["--seed", "-1"], "--seed"),
    (["--threads", "0"], "--threads"),
    (["--record", "x.avi", "--headless"], "--record"),
    (["--env-kwargs", '{"no_such_kwarg": 1}'], "--env-kwargs"),
])
def test_play_bad_arguments_are_one_line(argv, option, capsys):
    err = _one_line_error(["play", GRID, *argv], "play", option, capsys)
    assert "missing.zip.zip" not in err


def test_play_missing_policy_names_the_path_given(capsys):
    err = _one_line_error(["play", GRID, "--policy", "missing.zip"], "play", "--policy", capsys)
    assert "'missing.zip' does not exist" in err


def test_a_genuine_bug_keeps_its_traceback(monkeypatch):
    from rlhf_gym.commands import play

    def broken(args):
        raise FileNotFoundError("an asset of ours is missing: a bug, not a user's mistake")

    monkeypatch.setattr(play, "run", broken)
    with pytest.raises(FileNotFoundError):
        main(["play", GRID])
