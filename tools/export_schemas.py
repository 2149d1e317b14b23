"""Write the JSON Schemas of all messages to docs/schemas/, or check that they are up to date.

python -m tools.export_schemas           # (re)write docs/schemas/*.json
python -m tools.export_schemas --check   # exit 1 and list drifted files, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.contracts import ALL_MESSAGES, JSON_SCHEMA_DIALECT, json_schema_for
from shared.contracts.base import SCHEMA_URN_PREFIX, CloudEvent

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schemas"
ENVELOPE_FILE_NAME = "cloudevent.json"


def envelope_json_schema() -> dict[str, Any]:
    """The JSON Schema of the CloudEvents envelope every message travels in."""
    schema = CloudEvent.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMA_URN_PREFIX}cloudevent",
        **schema,
        "title": "CloudEvent",
    }


def _render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_schema_files() -> dict[str, str]:
    """File name → content of every schema file docs/schemas/ should hold."""
    files = {cls.schema_file_name(): _render(json_schema_for(cls)) for cls in ALL_MESSAGES}
    files[ENVELOPE_FILE_NAME] = _render(envelope_json_schema())
    return files


def drifted_files(directory: Path) -> list[str]:
    """Names of schema files in `directory` that are missing, outdated or no longer produced."""
    expected = expected_schema_files()
    present = {path.name for path in directory.glob("*.json")} if directory.is_dir() else set()
    drifted = {
        name
        for name, text in expected.items()
        if name not in present or (directory / name).read_text(encoding="utf-8") != text
    }
    drifted |= present - expected.keys()
    return sorted(drifted)


def write_schema_files(directory: Path) -> list[str]:
    """Bring `directory` up to date; return the names of files written or removed."""
    expected = expected_schema_files()
    changed = drifted_files(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in changed:
        path = directory / name
        if name in expected:
            path.write_text(expected[name], encoding="utf-8")
        else:
            path.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.export_schemas", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 and list drifted files, write nothing"
    )
    parser.add_argument("--directory", type=Path, default=SCHEMA_DIR, help=f"default: {SCHEMA_DIR}")
    args = parser.parse_args(argv)
    directory: Path = args.directory

    if args.check:
        drifted = drifted_files(directory)
        for name in drifted:
            print(directory / name)
        if drifted:
            print(
                f"{len(drifted)} schema file(s) drifted; run `python -m tools.export_schemas`.",
                file=sys.stderr,
            )
            return 1
        return 0

    changed = write_schema_files(directory)
    for name in changed:
        print(directory / name)
    print(f"{len(changed)} schema file(s) updated in {directory}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
