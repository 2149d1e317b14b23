"""Operators see what happens: traces exported over OTLP when configured, metrics on /metrics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI, Request, Response

from services.directory.app import create_app
from services.directory.settings import DirectorySettings
from tests.support.services import running, serving


async def test_with_an_otlp_endpoint_http_requests_are_traced_and_exported(
    directory_settings: Callable[..., DirectorySettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[bytes] = []
    collector = FastAPI()

    @collector.post("/v1/traces")
    async def traces(request: Request) -> Response:
        received.append(await request.body())
        return Response(status_code=200)

    async with serving(collector) as collector_url:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector_url)
        app = create_app(directory_settings())
        async with running(app) as directory:
            response = await directory.client.get("/organisations")
            assert response.status_code == 200
            provider = app.state.tracer_provider
            assert provider.force_flush(10_000)
    assert received, "no spans reached the OTLP collector"
    assert b"integrationsnetz-directory" in b"".join(received)


async def test_metrics_show_http_requests_and_the_outbox(
    directory_settings: Callable[..., DirectorySettings],
) -> None:
    async with running(create_app(directory_settings())) as directory:
        await directory.client.get("/organisations")
        text = (await directory.client.get("/metrics")).text
    assert (
        'integrationsnetz_http_requests_total{method="GET",route="/organisations",status="200"}'
        in text
    )
    assert "integrationsnetz_outbox_pending_documents" in text
    assert "integrationsnetz_parked_messages" in text
