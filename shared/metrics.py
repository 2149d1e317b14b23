"""Prometheus metrics shared by every service (one process = one service)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "integrationsnetz_http_requests_total",
    "HTTP requests handled",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "integrationsnetz_http_request_duration_seconds",
    "HTTP request duration",
    ["method", "route"],
)
MESSAGES_CONSUMED = Counter(
    "integrationsnetz_messages_consumed_total",
    "Messages taken from a queue, by outcome (processed, duplicate, retried, parked)",
    ["queue", "type", "outcome"],
)
MESSAGE_DURATION = Histogram(
    "integrationsnetz_message_handling_seconds",
    "Time spent handling one message",
    ["queue"],
)
OUTBOX_PUBLISHED = Counter(
    "integrationsnetz_outbox_published_total",
    "Messages published from the outbox (confirmed by the broker)",
    ["service", "routing_key"],
)
OUTBOX_PUBLISH_ERRORS = Counter(
    "integrationsnetz_outbox_publish_errors_total",
    "Relay rounds that failed (broker or database unavailable)",
    ["service"],
)
OUTBOX_PENDING = Gauge(
    "integrationsnetz_outbox_pending_documents",
    "Documents with unpublished outbox entries at the relay's last look",
    ["service"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "integrationsnetz_outbox_oldest_entry_age_seconds",
    "Age of the oldest entry the relay last published or tried to",
    ["service"],
)
PARKED_MESSAGES = Gauge(
    "integrationsnetz_parked_messages",
    "Messages waiting in the service's parking queue (replay with python -m tools.replay)",
    ["service"],
)
DATABASE_COMMANDS = Counter(
    "integrationsnetz_database_commands_total",
    "Commands sent to the database, by command name (find, insert, update, findAndModify …) and "
    "collection",
    ["command", "collection"],
)
DATABASE_COMMAND_DURATION = Histogram(
    "integrationsnetz_database_command_seconds",
    "Round-trip time of one database command",
    ["command"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
