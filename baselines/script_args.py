"""The command line of a baseline script, read from its dataclass of arguments (CleanRL style).

Why one helper: every script turns its ``Args`` fields into ``--flag`` options the same way; a
``list`` field becomes a repeatable option (``--set a=1 --set b=2``), a ``bool`` one ``--flag``/``--no-flag``."""

from __future__ import annotations

import argparse
import dataclasses


def parse(args_class, description: str, argv=None):
    """An ``args_class`` instance from the command line (``--field-name VALUE`` per field)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for field in dataclasses.fields(args_class):
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
        flag = f"--{field.name.replace('_', '-')}"
        if isinstance(default, list):
            parser.add_argument(flag, dest=field.name, action="append", default=[], metavar="VALUE")
        elif isinstance(default, bool):  # --flag / --no-flag (type=bool would read "False" as true)
            parser.add_argument(flag, dest=field.name, action=argparse.BooleanOptionalAction, default=default)
        else:
            parser.add_argument(flag, dest=field.name, type=type(default), default=default)
    return args_class(**vars(parser.parse_args(argv)))
