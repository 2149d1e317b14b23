"""What the current unit of work is about: the correlation id that ties together the HTTP request
and every message it causes, and the event being handled. Set by the HTTP middleware and the
consumer dispatch; read by the outbox writer (so caused events inherit it) and the log lines."""

from __future__ import annotations

import contextvars

correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)
event_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)


def current_correlation_id() -> str | None:
    return correlation_id_var.get()
