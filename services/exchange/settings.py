"""Configuration of the exchange service."""

from __future__ import annotations

from pydantic import Field

from shared.match_feedback import MatchFeedbackSettings
from shared.settings import ServiceSettings


class ExchangeSettings(ServiceSettings, MatchFeedbackSettings):
    service_name: str = "exchange"
    port: int = 8003
    #: How often open listings past their `expires_at` are looked for.
    expiry_sweep_seconds: float = Field(60.0, gt=0, le=3600)
    #: Listings closed per database round when they expire or their organisation is archived;
    #: the next round follows at once while rounds are full.
    closing_batch_size: int = Field(100, ge=1, le=1000)
