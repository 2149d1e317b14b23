"""The command line of a committed file that is generated from the code: without arguments it
writes the file, with `--check` it only says whether the committed one is out of date."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_or_check(
    path: Path,
    build: Callable[[], str],
    *,
    description: str,
    command: str,
    argv: Sequence[str] | None = None,
) -> int:
    """Write what `build` returns to `path`; with `--check`, exit 1 instead when the file differs
    from it (`command` is what brings it up to date)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run `{command}`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0
