"""`make up RUN_ARGS='--scale exchange=2'`: which replicas start, on which ports."""

from __future__ import annotations

import argparse

import pytest

from scripts.run import ServiceSpec, parse_scale, scaled

SERVICES = [
    ServiceSpec("directory", 8001, "services.directory.app:create_app"),
    ServiceSpec("exchange", 8003, "services.exchange.app:create_app"),
]


def test_replicas_are_named_and_placed_a_hundred_ports_apart() -> None:
    specs = scaled(SERVICES, parse_scale("exchange=3"))
    assert [(s.name, s.port, s.app) for s in specs] == [
        ("directory", 8001, "services.directory.app:create_app"),
        ("exchange", 8003, "services.exchange.app:create_app"),
        ("exchange-2", 8103, "services.exchange.app:create_app"),
        ("exchange-3", 8203, "services.exchange.app:create_app"),
    ]


def test_no_scale_keeps_one_of_each() -> None:
    assert scaled(SERVICES, parse_scale("")) == SERVICES


@pytest.mark.parametrize("value", ["exchange", "exchange=0", "exchange=17", "exchange=two", "=2"])
def test_a_malformed_scale_is_refused(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_scale(value)


def test_scaling_an_unknown_service_is_refused() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="calendar"):
        scaled(SERVICES, {"calendar": 2})
