from __future__ import annotations

import yaml

from shared.contracts import ALL_MESSAGES
from tools.asyncapi import DOCUMENT, build_document


def test_the_committed_asyncapi_document_matches_the_apps() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == build_document(), (
        "docs/asyncapi.yaml is stale: run `python -m tools.asyncapi`"
    )


def test_every_message_has_a_channel_with_its_routing_key_and_typed_payload() -> None:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    addresses = {channel["address"] for channel in document["channels"].values()}
    for payload in ALL_MESSAGES:
        assert payload.routing_key in addresses
    schemas = document["components"]["schemas"]
    assert "MatchFoundCloudEvent" in schemas
    assert schemas["MatchFoundCloudEvent"]["properties"]["type"]["const"] == (
        "integrationsnetz.exchange.match.found.v1"
    )
