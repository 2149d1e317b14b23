"""OpenTelemetry tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: spans for every HTTP
request (FastAPI) and every published and consumed message (FastStream), exported over OTLP/HTTP.
The standard `OTEL_*` variables (service name, headers, sampler) apply as usual."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware


def tracing_enabled() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def install_tracing(service: str, app: FastAPI, broker: RabbitBroker | None) -> Any:
    """Instrument the app and broker; returns the tracer provider, or None when tracing is off."""
    if not tracing_enabled():
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME", f"integrationsnetz-{service}")}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics"
    )
    if broker is not None:
        broker.add_middleware(RabbitTelemetryMiddleware(tracer_provider=provider))
    app.state.tracer_provider = provider
    return provider
