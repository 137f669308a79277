"""baselines/interleaving_vs_ab.py runs end to end on tiny settings, and a bad flag is one line, exit 2."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "baselines" / "interleaving_vs_ab.py"


def run(*argv):
    return subprocess.run([sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, timeout=120)


def test_prints_the_tables_and_writes_results(tmp_path):
    done = run("--queries", "40", "--docs", "15", "--depth", "6", "--noise-worse", "3.0", "--repeats", "300",
               "--check-sessions", "3000", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| worse noise | nDCG@6 better / worse | team draft | balanced | A/B clicks |" in done.stdout
    assert "A/B abandonment ÷ team draft" in done.stdout
    (pair,) = json.loads((tmp_path / "results.json").read_text())["pairs"]
    assert pair["ndcg_better"] > pair["ndcg_worse"]
    n = {m: r["sessions"] for m, r in pair["methods"].items()}
    assert set(n) == {"team_draft", "balanced", "ab_clicks", "ab_abandonment", "ab_first_click"}
    assert n["team_draft"] is not None and n["ab_abandonment"] is not None and n["team_draft"] < n["ab_abandonment"]
    assert (tmp_path / "power.png").stat().st_size > 0


def test_a_bad_flag_is_one_line_and_exit_2(tmp_path):
    done = run("--users", "lazy", "--out", str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "interleaving_vs_ab.py: error: --users: got 'lazy'; allowed: a comma-separated list of "
        "['informational', 'navigational', 'perfect']"]
