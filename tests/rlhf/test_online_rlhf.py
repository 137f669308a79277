"""A person teaches while the agent trains (``--feedback human``), with the simulated person of the
benchmark in place of the keyboard: answers reach the refits and the reward learns the truth, escape
ends a run with every answer on disk and results written, the real window works from the command line,
and mistakes are one line."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest
import torch

import rlhf_gym  # noqa: F401
from rlhf_gym import presets
from rlhf_gym.cli import main
from rlhf_gym.data.segments import stack_segments
from rlhf_gym.feedback import LabelStore
from rlhf_gym.feedback.human import agreement_with_exact_teacher
from rlhf_gym.feedback.online_person import SimulatedPerson
from rlhf_gym.rlhf.experiment import HUMAN_KEYS, run_experiment
from rlhf_gym.rlhf.pipeline import fit_from_store, new_reward_model, run_rlhf_online

CLIFF = "rlhf_gym/LavaMaze-v0"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def small_config(steps=4096, labels=30):  # LavaMaze: clips of a random-ish agent differ in true return
    cfg = presets.load(presets.for_env(CLIFF), CLIFF)
    cfg.agent.steps, cfg.schedule.labels, cfg.schedule.segment_length = steps, labels, 10
    return cfg


def agreement_with_truth(rm, clips) -> float:
    """Share of 5,000 random pairs of ``clips`` (unequal true returns) the reward model orders as the truth does."""
    true = np.array([s.true_return() for s in clips])
    learned = rm.segment_returns(stack_segments(clips)).mean(axis=0)
    i, j = np.random.default_rng(7).integers(0, len(clips), size=(2, 5000))
    differ = true[i] != true[j]
    assert differ.sum() >= 500
    return float(np.mean(np.sign(learned[i] - learned[j])[differ] == np.sign(true[i] - true[j])[differ]))


def test_answers_from_the_queue_reach_the_refits_and_the_reward_learns_the_truth(tmp_path):
    cfg = small_config(labels=60)
    agent, rm, cb, _, times = run_rlhf_online(cfg, tmp_path / "labels.jsonl", SimulatedPerson(0.01))
    records = LabelStore(tmp_path / "labels.jsonl", read_only=True).records
    assert cb.queries_asked == len(records) == 60 and agent.num_timesteps >= 4096
    assert all(r["source"] == "simulated-person" and r["seconds"] >= 0.01 for r in records)
    assert len({r["timestep"] for r in records}) >= 3  # pairs were made while the agent trained on
    assert len(cb.trainer.history) >= 2  # answers reached several refits, not one at the end
    assert len(cb.labels) == sum(r["label"] is not None for r in records)
    # Held out: pairs never asked, of the agent's clips from all its envs (the person saw env 0's only).
    clips = cb.recorder.take()
    # Which clips are paired, and how many answers each refit saw, depend on how the two threads
    # interleave, so the run's own model is held to a loose bar (seen 0.73-0.97 over 15 runs, from
    # 0.15-0.54 at the start); the answers as stored are judged by a seeded refit of them alone
    # (seen 0.83-0.97): a wrong label, pair or clip on disk would show there.
    before = agreement_with_truth(new_reward_model(cfg), clips)  # the run's model as it started (seeded)
    after = agreement_with_truth(rm, clips)
    refit, _ = fit_from_store(small_config(labels=60), LabelStore(tmp_path / "labels.jsonl", read_only=True))
    assert after >= 0.65 and agreement_with_truth(refit, clips) >= 0.75, (before, after)
    assert 0.0 <= times["person_waited_share"] <= 1.0 and 0.0 <= times["agent_stalled_share"] <= 1.0


def test_escape_mid_run_stops_the_agent_with_every_answer_on_disk_results_written_and_it_resumes(tmp_path):
    cfg = small_config(steps=200_000, labels=50)  # far more than the run will do: the person ends it
    res = run_experiment(cfg, tmp_path, "human", eval_episodes=1, window=SimulatedPerson(0.02, quit_after=6))
    assert res == json.loads((tmp_path / "results.json").read_text())
    assert res["stopped_early"] and res["agent_steps_done"] < 200_000 and res["labels_used"] == 6
    store = LabelStore(tmp_path / "labels.jsonl", read_only=True)
    assert len(store.records) == 6
    assert res["median_seconds_per_label"] == pytest.approx(0.02, abs=0.015)
    assert res["labels_per_minute"] == pytest.approx(60 / np.mean([r["seconds"] for r in store.records]))
    assert res.get("agreement_with_exact_teacher") == agreement_with_exact_teacher(store)  # 1.0 or None: exact
    assert (tmp_path / "reward_model.safetensors").is_file() and (tmp_path / "agent.zip").is_file()
    # The same label file goes on (as --resume does): the 6 answers count and train the reward.
    _, _, cb, _, _ = run_rlhf_online(small_config(steps=2048, labels=10), tmp_path / "labels.jsonl",
                                     SimulatedPerson(0.01))
    records = LabelStore(tmp_path / "labels.jsonl", read_only=True).records
    assert len(records) == cb.queries_asked == 10 and len(cb.labels) == sum(r["label"] is not None for r in records)
    assert cb.pairs[0][0].seg_id == records[0]["left"]  # the earlier answers entered the refits first


def test_the_window_from_the_command_line_answers_undoes_and_quits(tmp_path, capsys):
    pygame.display.init()
    for key in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_BACKSPACE, pygame.K_DOWN, pygame.K_SPACE,
                pygame.K_ESCAPE, pygame.K_ESCAPE):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))
    out = tmp_path / "run"
    assert main(["train", "--env", CLIFF, "--feedback", "human", "--labels", "10", "--steps", "100000",
                 "--set", "schedule.segment_length=6", "--eval-episodes", "1", "--out", str(out)]) == 0
    records = LabelStore(out / "labels.jsonl", read_only=True).records
    assert [r["label"] for r in records] == [1.0, 0.5, None]  # "right" was taken back
    assert all(r["source"] == "human" for r in records)
    res = json.loads((out / "results.json").read_text())
    assert res["feedback"] == "human" and res["stopped_early"] and res["labels_used"] == 3
    assert set(HUMAN_KEYS) - {"agreement_with_exact_teacher"} <= set(res)
    assert "stopped by the person" in capsys.readouterr().out


@pytest.mark.parametrize("argv, fragment", [
    (["--labels-file", "x.jsonl"], "--labels-file: given with --feedback human; allowed only with --feedback file"),
    (["--error-rate", "0.1"], "--error-rate: given with --feedback human; allowed only with --feedback synthetic"),
    (["--labels", "1"], "schedule.labels: 1; allowed: an integer >= 2"),
])
def test_bad_combinations_with_a_person_are_one_line(argv, fragment, tmp_path, capsys):
    assert main(["train", "--feedback", "human", *argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()  # refused before anything was written


def test_the_benchmark_reports_both_shares():
    spec = importlib.util.spec_from_file_location("bench_human_wait", ROOT / "baselines" / "bench_human_wait.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclass looks itself up there
    spec.loader.exec_module(bench)
    # CartPole: its frames are drawn with pygame in the training thread, and the first refit comes before
    # any episode of the agent has ended (its rescaling then uses env 0's filmed clips).
    r = bench.main(bench.Args(env="rlhf_gym/FixedHorizonCartPole-v1", steps=4096, labels=6, delay=0.05))
    assert r["labels_answered"] == 6 and 0.0 <= r["person_waited_share"] < 1.0 and 0.0 <= r["agent_stalled_share"] < 1.0
    assert r["labels_per_minute"] > 0 and r["online_vs_synchronous"] > 0
