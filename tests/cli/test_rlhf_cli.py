"""``rlhf-gym train`` and ``rlhf-gym presets``: the preset is the recipe, flags and --set change it,
every run saves a config.json that repeats it, and every mistake is one line naming the option."""

import hashlib
import json

import pytest
import torch

from rlhf_gym.cli import build_parser, main

GRID = "rlhf_gym/GridWorld-v0"


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def _config(argv):
    from rlhf_gym.commands.train import build_config

    return build_config(build_parser().parse_args(["train", *argv]))


def test_the_env_preset_is_the_recipe_and_flags_and_set_override_it():
    from rlhf_gym import presets

    cfg = _config(["--env", "rlhf_gym/Backflip-v0", "--labels", "900"])
    assert cfg.preset == "backflip" and cfg.to_dict() == presets.load("backflip").to_dict()
    assert cfg.train_env_kwargs == {"crash_penalty": 0.0, "stand_reward": 0.3, "terminate_on_crash": True}
    assert (cfg.schedule.segment_length, cfg.schedule.label_batches, cfg.agent.kwargs["ent_coef"]) == (200, 25, 0.01)
    cfg = _config(["--env", "rlhf_gym/Backflip-v0", "--labels", "300", "--error-rate", "0", "--steps", "1000",
                   "--query", "random", "--seed", "4", "--set", "reward.scale=0.2", "--set", "agent.kwargs.n_epochs=3",
                   "--set", "reward.ignore=[\"time_fraction\"]", "--set", "train_env_kwargs.stand_reward=0.5"])
    assert (cfg.schedule.labels, cfg.agent.steps, cfg.schedule.query, cfg.seed) == (300, 1000, "random", 4)
    assert cfg.teacher.error_rate == cfg.trainer.assumed_error_rate == 0.0  # the fit assumes the teacher's rate
    assert (cfg.reward.scale, cfg.agent.kwargs["n_epochs"], cfg.reward.ignore) == (0.2, 3, ["time_fraction"])
    assert cfg.train_env_kwargs["stand_reward"] == 0.5 and presets.load("backflip").reward.scale == 0.1
    assert _config(["--env", "CartPole-v1"]).preset == "default"
    assert _config(["--algo", "a2c"]).agent.kwargs == {}  # another agent than the preset's: SB3's defaults


def test_train_help_fits_one_screen_and_says_units():
    text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    options = [a for a in build_parser()._subparsers._group_actions[0].choices["train"]._actions if a.option_strings]
    assert len(options) <= 20, [a.option_strings for a in options]
    assert all(a.help for a in options)
    assert "reward.scale=0.1" in text


def test_presets_lists_one_line_each_and_shows_one_in_full(capsys):
    from rlhf_gym import presets

    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == presets.names()
    assert main(["presets", "backflip"]) == 0
    assert json.loads(capsys.readouterr().out)["schedule"]["labels"] == 900
    assert main(["presets", "nope"]) == 2
    assert "--preset: 'nope'; allowed: gridworld" in capsys.readouterr().err


def test_a_config_round_trips_and_newer_or_foreign_files_are_refused(tmp_path):
    from rlhf_gym.rlhf.config import load_config

    cfg = _config(["--env", "rlhf_gym/Backflip-v0", "--set", "reward.input_clip=null", "--seed", "3"])
    path = cfg.save(tmp_path / "config.json")
    assert load_config(path) == cfg
    data = json.loads(path.read_text())
    for change, fragment in [({"version": 2}, "config version: 2; allowed: 1"),
                             ({"format": "other"}, "config format: 'other'"),
                             ({"reward": {"lasso": 1}}, "unknown key 'reward.lasso'; allowed: "),
                             ({"schedule": {"labels": "many"}}, "schedule.labels: 'many'; allowed: int")]:
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**data, **change}))
        with pytest.raises(ValueError, match=fragment):
            load_config(bad)


@pytest.mark.slow
def test_synthetic_run_then_file_mode_honours_the_trainer_settings_and_config_repeats_it(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--env", GRID, "--labels", "60", "--steps", "6000", "--set", "schedule.segment_length=10",
            "--eval-episodes", "5", "--out", str(out)]
    assert main(argv) == 0
    res = json.loads((out / "results.json").read_text())
    for key in ("true_return_mean", "true_return_std", "labels_used", "wall_seconds", "expert_return_mean",
                "agent_steps", "preset", "feedback", "reward_model", "reward_seconds"):
        assert key in res
    assert res["labels_used"] == 60 and res["preset"] == "gridworld" and res["agent_steps"] == 6000
    assert res["true_return_mean"] >= 0.8 * res["expert_return_mean"]
    assert "| PPO (synthetic) | 60 |" in capsys.readouterr().out
    assert main(argv) == 2  # a second run into the same folder is refused
    assert "--out" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0 and "finished run" in capsys.readouterr().out  # not repeated
    (out / "results.json").unlink()  # as if it had been killed: --resume starts it again, labels not doubled
    assert main([*argv, "--resume"]) == 0
    from rlhf_gym.feedback import LabelStore

    assert len(LabelStore(out / "labels.jsonl").records) == 60
    # File mode: every trainer setting is honoured (a setting changes the fitted model).
    digests = []
    for k, extra in enumerate([[], ["--set", "trainer.weight_decay=0.5"], ["--set", "trainer.assumed_error_rate=0.3"]]):
        again = tmp_path / f"file{k}"
        assert main(["train", "--env", GRID, "--feedback", "file", "--labels-file", str(out / "labels.jsonl"),
                     "--steps", "2048", "--eval-episodes", "2", "--out", str(again), *extra]) == 0
        digests.append(hashlib.sha256((again / "reward_model.safetensors").read_bytes()).hexdigest())
        assert json.loads((again / "results.json").read_text())["labels_used"] == 60
    assert len(set(digests)) == 3, digests
    # --config repeats a run: the same reward model, bit for bit.
    repeat = tmp_path / "repeat"
    assert main(["train", "--feedback", "file", "--labels-file", str(out / "labels.jsonl"), "--config",
                 str(tmp_path / "file1" / "config.json"), "--eval-episodes", "2", "--out", str(repeat)]) == 0
    assert hashlib.sha256((repeat / "reward_model.safetensors").read_bytes()).hexdigest() == digests[1]


@pytest.mark.slow
def test_true_reward_and_a_gymnasium_env_with_early_termination(tmp_path):
    out = tmp_path / "cart"
    assert main(["train", "--env", "CartPole-v1", "--algo", "a2c", "--labels", "10", "--steps", "600",
                 "--eval-episodes", "2", "--out", str(out)]) == 0
    res = json.loads((out / "results.json").read_text())
    assert res["labels_used"] == 10 and res["expert_return_mean"] == 500.0  # the scripted CartPole expert
    assert main(["train", "--env", GRID, "--feedback", "true", "--eval-episodes", "5", "--out", str(tmp_path / "t")]) == 0
    res = json.loads((tmp_path / "t" / "results.json").read_text())
    assert res["labels_used"] == 0 and res["true_return_mean"] >= 0.95 * res["expert_return_mean"]


@pytest.mark.parametrize("argv, fragment", [
    (["--feedback", "file"], "--labels-file: missing"),
    (["--feedback", "file", "--labels-file", "nope.jsonl"], "--labels-file: 'nope.jsonl' does not exist"),
    (["--labels-file", "x.jsonl"], "--labels-file: given with --feedback synthetic"),
    (["--feedback", "true", "--labels", "5"], "--labels: given with --feedback true"),
    (["--labels", "1"], "schedule.labels: 1; allowed: an integer >= 2"),
    (["--steps", "0"], "agent.steps: 0; allowed: an integer >= 1"),
    (["--error-rate", "0.7"], "teacher.error_rate: 0.7; allowed: a number in [0, 0.5)"),
    (["--algo", "sac"], "sac needs Box actions"),
    (["--preset", "nope"], "--preset: 'nope'; allowed: gridworld"),
    (["--preset", "backflip"], "--preset: 'backflip' is the recipe of rlhf_gym/Backflip-v0"),
    (["--env", "Nope-v9"], "--env: 'Nope-v9' is not a registered gymnasium id"),
    (["--config", "missing.json"], "--config: 'missing.json' does not exist"),
    (["--set", "reward.scale"], "--set: 'reward.scale'; allowed: KEY=VALUE"),
    (["--set", "reward.lasso=1"], "--set: unknown key 'reward.lasso'; allowed: env_id, env_kwargs"),
    (["--set", "reward.scale=big"], "reward.scale: 'big'; allowed: float"),
    (["--set", "reward.scale=0"], "reward.scale: 0.0; allowed: a number > 0"),
    (["--set", "reward.explore_bonus=1", "--set", "reward.ensemble=1"], "a spread needs reward.ensemble >= 2"),
    (["--set", "schedule.pool_steps=30"], "schedule.pool_steps: 30; allowed: null or an integer >= 2 x"),
    (["--set", "schedule.label_batches=0"], "schedule.label_batches: 0; allowed: an integer >= 1"),
    (["--set", "trainer.drop_suspect=0.5"], "trainer.drop_suspect: 0.5; allowed: a number in [0, 0.5)"),
    (["--set", "reward.input_clip=0"], "reward.input_clip: 0.0; allowed: null or a number > 0"),
    (["--env", "rlhf_gym/Backflip-v0", "--set", "reward.ignore=[\"clock\"]"], "reward.ignore: 'clock'; allowed:"),
    (["--env", "rlhf_gym/Backflip-v0", "--set", "reward.ignore=[99]"], "ignore_obs=(99,); allowed: distinct flat"),
    (["--eval-episodes", "0"], "--eval-episodes: 0; allowed: an integer >= 1"),
    (["--env-kwargs", '{"nope": 1}'], "--env-kwargs: {\"nope\": 1}; allowed: keyword arguments and values that"),
    (["--env-kwargs", '{"slip": 5}'], "(slip=5 is not allowed; allowed: a number in [0.0, 1.0])"),
    (["--set", "agent.kwargs.n_stepz=5"], "agent.kwargs.n_stepz: not an argument of SB3's PPO; allowed: batch_size"),
    (["--set", "agent.kwargs.n_steps=-3"], "agent.kwargs: {\"n_steps\": -3, \"batch_size\": 64}; allowed: values SB3"),
    (["--seed", "-1"], "--seed: -1; allowed: an integer >= 0"),
    (["--threads", "0"], "--threads: 0; allowed: an integer >= 1"),
    (["--env", "MountainCar-v0", "--set", "demos.episodes=2"], "demos.episodes: 2, but MountainCar-v0 has no scripted expert"),
])
def test_bad_input_is_one_line_naming_the_option(argv, fragment, capsys, tmp_path):
    assert main(["train", "--out", str(tmp_path / "run"), *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
