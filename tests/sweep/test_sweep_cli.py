"""``rlhf-gym sweep`` end to end on GridWorld with tiny budgets: real train processes, real files."""

import json

import pytest

from rlhf_gym.cli import main
from rlhf_gym.sweep import launch

TINY = ["--env", "rlhf_gym/GridWorld-v0", "--steps", "1024", "--labels", "10", "--eval-episodes", "2"]


def _results(path):
    return json.loads(path.read_text())


def test_sweep_runs_the_grid_summarises_and_resumes(tmp_path, capsys):
    out = tmp_path / "sw"
    assert main(["sweep", *TINY, "--seeds", "2", "--first-seed", "3", "--grid", "error-rate=0,0.3",
                 "--engine", "local", "--out", str(out)]) == 0
    summary = _results(out / "summary.json")
    assert [c["label"] for c in summary["cells"]] == ["error-rate=0", "error-rate=0.3"]
    for cell in summary["cells"]:
        runs = [_results(out / "runs" / cell["cell"] / f"seed{s}" / "results.json") for s in (3, 4)]
        assert [r["seed"] for r in runs] == [3, 4]
        assert cell["stats"]["true_return_mean"]["per_seed"] == [r["true_return_mean"] for r in runs]
        assert cell["stats"]["labels_used"]["mean"] == 10
    config = _results(out / "runs" / "error-rate=0.3" / "seed4" / "config.json")
    assert config["teacher"]["error_rate"] == 0.3 and config["agent"]["steps"] == 1024
    assert (out / "summary.png").stat().st_size > 1000
    assert "| error-rate=0.3 | 2/2 |" in (out / "summary.md").read_text()

    kept = out / "runs" / "error-rate=0" / "seed3" / "results.json"
    before = kept.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["sweep", *TINY, "--seeds", "3", "--first-seed", "3", "--grid", "error-rate=0",
                 "--engine", "local", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("(done before)") == 2 and kept.stat().st_mtime_ns == before
    assert (out / "runs" / "error-rate=0" / "seed5" / "results.json").is_file()


def test_a_crashed_run_is_named_and_the_others_are_kept(tmp_path, capsys, monkeypatch):
    real = launch.train_process

    def crash_seed_1(out, argv):
        if out.endswith("seed1"):
            return 1, None, "Traceback ...\nRuntimeError: out of memory\n"
        return real(out, argv)

    monkeypatch.setattr(launch, "train_process", crash_seed_1)
    out = tmp_path / "sw"
    assert main(["sweep", *TINY, "--seeds", "2", "--engine", "local", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "1 of 2 runs failed" in err and "seed1" in err and "out of memory" in err
    cell = _results(out / "summary.json")["cells"][0]
    assert cell["finished"] == 1 and cell["seeds"][0]["results"]["seed"] == 0
    assert "out of memory" in cell["seeds"][1]["error"]


@pytest.mark.parametrize("argv, words", [
    (["--grid", "reward.scalez=1,2"], "unknown key 'reward.scalez'"),
    (["--grid", "labels="], "--grid"),
    (["--grid", "preset=nope"], "setting preset=nope: --preset"),
    (["--grid", "labels=5", "--labels", "5"], "also given as --labels"),
    (["--seed", "3"], "--first-seed"),
    (["--address", "127.0.0.1:1"], "unreachable"),
    (["--seeds", "0"], "--seeds"),
    (["--feedback", "human"], "nobody can answer many runs"),
    (["--grid", "feedback=synthetic,human"], "setting feedback=human: --feedback: human"),
])
def test_bad_sweeps_are_one_line_and_make_no_folder(tmp_path, capsys, argv, words):
    out = tmp_path / "sw"
    assert main(["sweep", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rlhf-gym sweep: error:") and err.count("\n") == 0 and words in err
    assert not out.exists()


def test_a_folder_of_another_sweep_is_refused(tmp_path, capsys):
    out = tmp_path / "sw"
    out.mkdir()
    (out / "sweep.json").write_text(json.dumps({"base": ["--labels", "7"]}))
    assert main(["sweep", *TINY, "--engine", "local", "--out", str(out)]) == 2
    assert "holds a sweep with train options '--labels 7'" in capsys.readouterr().err


def test_sweep_on_ray(tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "sw"
    assert main(["sweep", *TINY, "--seeds", "2", "--engine", "ray", "--workers", "2", "--out", str(out)]) == 0
    cell = _results(out / "summary.json")["cells"][0]
    assert cell["finished"] == 2
    assert [s["results"]["seed"] for s in cell["seeds"]] == [0, 1]
