"""The ``rlhf-gym`` console script: one subcommand per module in ``rlhf_gym.commands``.

Why: a user's mistake gets one line, ``rlhf-gym CMD: error: --option: VALUE; allowed: ...``, and
exit status 2 -- never a traceback. argparse's own complaints are reworded to that shape, and the
commands' checks raise ValueError (``common.UsageError`` and its path flavours, which are also
FileNotFoundError, FileExistsError, ...). Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

# Subcommand modules; each has add_parser(subparsers) and run(args) -> int.
COMMANDS = ("demo", "play", "train", "imitate", "presets", "label", "tamer", "sweep")


class ParseError(Exception):
    """argparse rejected the command line; ``prog`` is the (sub)command that did."""

    def __init__(self, prog: str, message: str):
        super().__init__(message)
        self.prog = prog


def _reword(message: str) -> str:
    """argparse's wording in the house shape ``--option: VALUE; allowed: ...``."""
    m = re.match(r"argument (\S+?)(?:/\S+)?: invalid choice: (.*?) \(choose from (.*)\)$", message)
    if m:
        return f"{m[1]}: {m[2]}; allowed: {m[3].replace(chr(39), '')}"
    m = re.match(r"argument (\S+?)(?:/\S+)?: invalid (\w+) value: (.*)$", message)
    if m:
        kind = {"int": "an integer", "float": "a number"}.get(m[2], m[2])
        return f"{m[1]}: {m[3]}; allowed: {kind}"
    m = re.match(r"argument (\S+?)(?:/\S+)?: expected one argument$", message)
    if m:
        return f"{m[1]}: missing value; allowed: {m[1]} VALUE"
    m = re.match(r"the following arguments are required: (.*)$", message)
    if m:
        return f"{m[1]}: missing; required"
    m = re.match(r"unrecognized arguments: (.*)$", message)
    if m:
        return f"{m[1]}: unknown option; allowed: the options of --help"
    return re.sub(r"^argument (\S+?)(?:/\S+)?: ", r"\1: ", message)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of printing usage and exiting (subparsers inherit it)."""

    def error(self, message: str):
        raise ParseError(self.prog, _reword(message))


def build_parser() -> argparse.ArgumentParser:
    from rlhf_gym import __version__

    parser = _Parser(prog="rlhf-gym", description="Learning from people on Gymnasium + Stable-Baselines3.")
    parser.add_argument("--version", action="version", version=f"rlhf_gym {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"rlhf_gym.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"rlhf_gym.commands.{name}":
                continue  # command not built yet
            raise
        module.add_parser(subparsers)
    return parser


def _one_line(prog: str, message: str) -> int:
    print(f"{prog}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except ParseError as err:
        return _one_line(err.prog, str(err))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ValueError as err:  # the commands' argument checks (common.UsageError and friends)
        return _one_line(f"rlhf-gym {args.command}", str(err))


if __name__ == "__main__":
    sys.exit(main())
