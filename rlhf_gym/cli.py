"""The ``rlhf-gym`` console script: one subcommand per module in ``rlhf_gym.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules; each has add_parser(subparsers) and run(args) -> int.
COMMANDS = ("demo", "play", "train", "imitate")


def build_parser() -> argparse.ArgumentParser:
    from rlhf_gym import __version__

    parser = argparse.ArgumentParser(prog="rlhf-gym", description="Learning from people on Gymnasium + Stable-Baselines3.")
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ValueError as err:
        print(f"rlhf-gym {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
