"""Every Python example in the README runs as written (in a scratch folder)."""

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_python_examples():
    assert len(PYTHON_BLOCKS) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_python_example_runs(index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    script = tmp_path / f"example_{index}.py"
    script.write_text(PYTHON_BLOCKS[index])
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip(), "an example should print what it shows"


def test_readme_commands_name_real_subcommands():
    from rlhf_gym.cli import COMMANDS

    used = set(re.findall(r"^rlhf-gym (\w+)", README.read_text(), flags=re.M))
    assert used and used <= set(COMMANDS), used - set(COMMANDS)
