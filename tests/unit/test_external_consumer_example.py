"""The subscriber's guide (docs/events.md) and its example consumer stay what they are for: the
example short and runnable with nothing but aio-pika, the guide showing it as committed and
listing every public event. (tests/e2e/test_public_event_stream.py runs the example.)"""

from __future__ import annotations

import ast
import re
import sys

from shared.contracts import ALL_MESSAGES
from tests.support.infra import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "external_consumer.py"
GUIDE = ROOT / "docs" / "events.md"
MAX_LINES_OF_CODE = 40


def test_the_example_consumer_is_at_most_40_lines_of_code() -> None:
    lines = [line.strip() for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    assert len(code) <= MAX_LINES_OF_CODE, (
        f"{EXAMPLE.name} has {len(code)} lines of code; it is an example, keep it short"
    )


def test_the_example_consumer_needs_nothing_but_aio_pika_and_the_standard_library() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(EXAMPLE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import"
            assert node.module is not None
            imported.add(node.module.split(".")[0])
    assert imported - sys.stdlib_module_names == {"aio_pika"}


def test_the_guide_shows_the_example_consumer_as_committed() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```$", GUIDE.read_text(encoding="utf-8"), re.M | re.S)
    assert EXAMPLE.read_text(encoding="utf-8") in blocks, (
        "docs/events.md must show docs/examples/external_consumer.py exactly"
    )


def test_the_guide_lists_every_public_event_with_its_schema() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    missing = [
        cls.schema_file_name()
        for cls in ALL_MESSAGES
        if cls.message_kind == "event" and f"(schemas/{cls.schema_file_name()})" not in guide
    ]
    assert not missing, f"docs/events.md has no catalogue row linking {missing}"
