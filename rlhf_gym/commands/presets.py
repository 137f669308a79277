"""``rlhf-gym presets [NAME]``: the named recipes, one line each, or one of them in full (JSON)."""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("presets", help="list the named recipes rlhf-gym train uses (NAME: one in full)")
    p.add_argument("name", nargs="?", default=None, metavar="NAME", help="show this preset's whole config as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rlhf_gym import presets

    if args.name is None:
        width = max(len(name) for name in presets.names())
        for name, line in presets.summary():
            print(f"{name:<{width}}  {line}")
        return 0
    print(json.dumps(presets.load(args.name).to_dict(), indent=2))
    return 0
