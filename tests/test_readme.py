"""The README works as written: its Python examples print what it shows, its links lead somewhere,
its commands exist, and CI's command is where .ci/run reads it.

Each ```python block is followed by a ```text block: what the example prints. An example runs in a
scratch folder, and its output must match that block line by line; ``...`` in an expected line
matches any text (doctest's ELLIPSIS), for the few numbers that are not deterministic.
"""

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TEXT = README.read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
# (code, expected output): a python block and the text block right after it
EXAMPLES = re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", TEXT, flags=re.S)
MAX_LINES = 250  # issue 22: a README for newcomers; the reference lives in docs/


def test_readme_has_python_examples():
    assert 2 <= len(PYTHON_BLOCKS) <= 3, f"{len(PYTHON_BLOCKS)} python examples; keep two or three"
    assert len(EXAMPLES) == len(PYTHON_BLOCKS), "every ```python block needs a ```text block after it"


def test_readme_is_short():
    n_lines = len(TEXT.splitlines())
    assert n_lines <= MAX_LINES, f"README.md has {n_lines} lines; at most {MAX_LINES} (move detail to docs/)"


def test_rlhf_example_between_its_markers():
    start, end = TEXT.find("<!-- example:rlhf -->"), TEXT.find("<!-- /example:rlhf -->")
    assert 0 <= start < end, "the RLHF example sits between <!-- example:rlhf --> and <!-- /example:rlhf -->"
    section = TEXT[start:end]
    assert len(re.findall(r"```python\n.*?```\s*```text\n.*?```", section, flags=re.S)) == 1


def test_ci_markers_precede_their_commands():
    for marker, command in (("<!-- ci:install -->", "pip install -e . && rlhf-gym demo"),
                            ("<!-- ci:test -->", 'pip install -e ".[dev]" && python -m pytest -q')):
        assert re.search(re.escape(marker) + r"\n```bash\n" + re.escape(command) + r"\n```", TEXT), marker


def _matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def _check_claims(out: str) -> None:
    """What the examples claim, checked on their own (clearer failures than a line that differs)."""
    assert "-> no goal" not in out, "the expert should reach the goal"
    returns = dict(re.findall(r"^(\w[\w ]*): return (-?\d+\.\d+)", out, flags=re.M))
    for name in ("BC", "DAgger"):  # imitation reaches the expert's return on GridWorld
        if name in returns and "expert" in returns:
            assert float(returns[name]) >= float(returns["expert"]) - 0.01, f"{name} should reach the expert: {returns}"


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_python_example_prints_what_it_shows(index, tmp_path, monkeypatch, capsys):
    code, expected = EXAMPLES[index]
    monkeypatch.chdir(tmp_path)
    script = tmp_path / f"example_{index}.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), "an example should print what it shows"
    _check_claims(out)
    got = [line.rstrip() for line in out.strip().splitlines()]
    want = [line.rstrip() for line in expected.strip().splitlines()]
    assert len(got) == len(want) and all(_matches(w, g) for w, g in zip(want, got)), (
        "the example printed\n" + "\n".join(got) + "\nbut the README shows\n" + "\n".join(want))


def test_readme_commands_name_real_subcommands():
    from rlhf_gym.cli import COMMANDS

    used = set(re.findall(r"^rlhf-gym (\w+)", TEXT, flags=re.M))
    assert used and used <= set(COMMANDS), used - set(COMMANDS)


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.S), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


DOCS = [README, *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_relative_links_lead_somewhere(doc):
    text = doc.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"```.*?```", "", text, flags=re.S)):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        assert file.exists(), f"{doc.name}: link {target!r}: no file {file}"
        if anchor and file.suffix == ".md":
            assert anchor in _anchors(file.read_text()), f"{doc.name}: link {target!r}: no heading #{anchor}"
