"""Reading the small JSON files that describe what lies beside them (a run's config, a reward
model's config, a demonstrations folder's metadata).

Why one reader: a file a user was sent may be missing, damaged or of another kind; each case is
one clear error naming who read it, the path and what is allowed, the same for every file.
"""

from __future__ import annotations

import json
from pathlib import Path


def read_json_object(path: str | Path, who: str, fmt: str | None = None, allowed: str = "a file rlhf_gym wrote") -> dict:
    """The JSON object in ``path``; with ``fmt``, its ``"format"`` must equal it."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{who}: {str(path)!r} does not exist; allowed: {allowed}")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        where = f"line {err.lineno}: {err.msg}" if isinstance(err, json.JSONDecodeError) else "not UTF-8 text"
        raise ValueError(f"{who}: {str(path)!r} is not valid JSON ({where}); allowed: {allowed}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{who}: {str(path)!r} holds a JSON {type(data).__name__}; allowed: {allowed}")
    if fmt is not None and data.get("format") != fmt:
        raise ValueError(f"{who}: {str(path)!r} has format {data.get('format')!r}; allowed: {fmt!r} ({allowed})")
    return data
