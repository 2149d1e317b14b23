"""What the benchmarks share: a database to run against, a command counter, percentiles."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from pymongo import monitoring

from tests.support.infra import embedded_mongo


class CommandCounter(monitoring.CommandListener):
    """Counts the commands the client sends, by name."""

    def __init__(self) -> None:
        self.commands: dict[str, int] = {}

    def reset(self) -> None:
        self.commands = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands[event.command_name] = self.commands.get(event.command_name, 0) + 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @property
    def queries(self) -> int:
        """find commands, with the extra batches of a large result."""
        return self.commands.get("find", 0) + self.commands.get("getMore", 0)

    @property
    def total(self) -> int:
        return sum(self.commands.values())


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.contextmanager
def database_url(prefix: str) -> Iterator[str]:
    """MONGODB_URL if given, else an nx-27017 of the bench's own in a scratch directory."""
    given = os.environ.get("MONGODB_URL")
    if given:
        yield given
        return
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        with embedded_mongo(data_dir) as url:
            yield url
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
