"""baselines/bench_bradley_terry.py runs end to end on tiny settings, with and without choix."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "baselines" / "bench_bradley_terry.py"
TINY = ["--items", "30", "--comparisons", "600", "--coverage-sets", "3", "--repeats", "1"]


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_benchmark_skips_choix_with_a_message_when_it_is_absent():
    out = run(f"import sys, runpy; sys.modules['choix'] = None; sys.argv = [{str(SCRIPT)!r}, *{TINY!r}]; "
              f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')")
    assert "choix is not installed (pip install choix)" in out
    assert "| rlhf_gym fit_bradley_terry, scores only |" in out and "95% intervals cover" in out


def test_the_benchmark_compares_with_choix_when_it_is_there():
    pytest.importorskip("choix")
    out = run(f"import sys, runpy; sys.argv = [{str(SCRIPT)!r}, *{TINY!r}]; "
              f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')")
    assert "| choix.ilsr_pairwise (alpha = 0) |" in out and "against choix.opt_pairwise" in out
