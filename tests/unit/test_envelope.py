"""The CloudEvents envelope and the payloads it carries, as an external subscriber sees them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from shared.contracts import ALL_MESSAGES, payload_for_type
from shared.contracts.base import CloudEvent, Payload, envelope
from shared.contracts.calendar import (
    ConflictDetected,
    ConflictKind,
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventStatus,
    EventUpdated,
    GroupCreated,
    GroupStatus,
    GroupUpdated,
    Recurrence,
    RegistrationChanged,
    RegistrationClosed,
    RegistrationOpened,
    RegistrationOpenTo,
    Venue,
    Visibility,
)
from shared.contracts.concept import MeasureCreated, MeasureStatusChanged, MeasureUpdated
from shared.contracts.directory import (
    MemberJoined,
    MemberLeft,
    OrganisationArchived,
    OrganisationKind,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
)
from shared.contracts.exchange import (
    ListingCategory,
    ListingStatus,
    MatchFound,
    MatchRated,
    MatchSide,
    MatchVerdict,
    OfferFulfilled,
    OfferPosted,
    OfferUpdated,
    OfferWithdrawn,
    RatingChannel,
    RequestFulfilled,
    RequestPosted,
    RequestUpdated,
    RequestWithdrawn,
    WithdrawalReason,
)
from shared.contracts.notifier import (
    CalendarAttachment,
    CalendarMethod,
    EmailTemplate,
    NotificationFailed,
    NotificationSent,
    SendEmail,
)
from shared.contracts.vocabulary import Audience, FieldOfAction
from tools.export_schemas import ENVELOPE_FILE_NAME, SCHEMA_DIR

NOW = dt.datetime(2026, 5, 16, 12, 0, tzinfo=dt.UTC)
ORG = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
OTHER_ORG = "01a20175-6e13-7012-9a1c-8de746c2ce99"

ORGANISATION: dict[str, Any] = {
    "organisation_id": ORG,
    "name": "Ukrainischer Verein Mriya e.V.",
    "kind": OrganisationKind.MIGRANT_ORGANISATION,
    "languages": ["uk", "de"],
    "fields": [FieldOfAction.LANGUAGE_EDUCATION],
    "district": "Nordstadt",
    "email": "info@mriya.example.org",
    "status": OrganisationStatus.ACTIVE,
    "revision": 1,
    "updated_at": NOW,
}
LISTING: dict[str, Any] = {
    "listing_id": "01a20175-6d8a-7156-84fd-a785183d790f",
    "organisation_id": ORG,
    "category": ListingCategory.LANGUAGE_PARTNER,
    "title": "Sprachpartner für ukrainische Jugendliche gesucht",
    "tags": ["Sprachcafé"],
    "languages": ["de", "uk"],
    "district": "Nordstadt",
    "available_from": NOW,
    "quantity": 3,
    "status": ListingStatus.OPEN,
    "expires_at": NOW + dt.timedelta(days=90),
    "revision": 1,
    "updated_at": NOW,
}
CALENDAR_ENTRY: dict[str, Any] = {
    "event_id": "01a20175-6e35-7420-942f-2edfc88e1cc8",
    "title": "Kinderfest im Hoeschpark",
    "organisation_id": ORG,
    "co_organiser_ids": [OTHER_ORG],
    "starts_at": NOW + dt.timedelta(days=30),
    "ends_at": NOW + dt.timedelta(days=30, hours=5),
    "venue": Venue(name="Hoeschpark", address="Lünener Straße 1"),
    "district": "Nordstadt",
    "audience": [Audience.CHILDREN, Audience.FAMILIES],
    "languages": ["de", "tr"],
    "fields": [FieldOfAction.CULTURAL_DIVERSITY],
    "visibility": Visibility.PUBLIC,
    "recurrence": Recurrence(rrule="FREQ=YEARLY;COUNT=3"),
    "status": EventStatus.SCHEDULED,
    "sequence": 0,
    "updated_at": NOW,
}
OUTCOME: dict[str, Any] = {
    "delivery_id": "01a20175-6d8a-7156-84fd-a785183d790f",
    "cause_event_id": "01a20175-6dcf-7d04-889d-7561596255aa",
    "cause_type": "integrationsnetz.exchange.match.found.v1",
    "template": "match_found",
    "organisation_id": ORG,
    "attempts": 1,
    "occurred_at": NOW,
}

MEASURE: dict[str, Any] = {
    "measure_id": "01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b",
    "concept_id": "01a2f3c4-1111-7f80-9a1b-2c3d4e5f6a7b",
    "number": "3.2.4",
    "field_number": "3",
    "goal_number": "3.2",
    "title": "Sprachcafés in allen Stadtteilen",
    "lead_organisation_id": "01a20175-6dad-718f-a12c-c0b9a10eb02c",
    "planned_start": dt.date(2023, 1, 1),
    "status": "in_progress",
    "revision": 3,
    "updated_at": dt.datetime(2023, 10, 1, 9, tzinfo=dt.UTC),
}
GROUP: dict[str, Any] = {
    "group_id": "01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c",
    "name": "Netzwerk der migrantischen Communitys",
    "purpose": "Austausch zweimal im Jahr",
    "coordinator_id": ORG,
    "member_ids": [ORG, OTHER_ORG],
    "visibility": Visibility.NETWORK,
    "status": GroupStatus.ACTIVE,
    "updated_at": NOW,
}
REGISTRATION_COUNTS: dict[str, Any] = {
    "event_id": "01a20175-6e35-7420-942f-2edfc88e1cc8",
    "capacity": 2,
    "confirmed": 0,
    "waiting": 0,
    "seats_left": 2,
    "open_to": RegistrationOpenTo.PUBLIC,
    "updated_at": NOW,
}

CONCEPT_SAMPLES: list[Payload] = [
    MeasureCreated(**MEASURE),
    MeasureUpdated(**MEASURE, changed_fields=["title"]),
    MeasureStatusChanged(
        **MEASURE,
        previous_status="planned",
        status_on=dt.date(2023, 3, 1),
        comment="Seit März wöchentlich in drei Stadtteilen.",
    ),
]

SAMPLES: list[Payload] = [
    OrganisationRegistered(**ORGANISATION),
    OrganisationUpdated(**ORGANISATION, changed_fields=["district"]),
    OrganisationArchived(**{**ORGANISATION, "status": OrganisationStatus.ARCHIVED}),
    MemberJoined(
        organisation_id=ORG, person_id="01a20175-6e57-78a0-8a72-0cf4940f2613", occurred_at=NOW
    ),
    MemberLeft(
        organisation_id=ORG, person_id="01a20175-6e57-78a0-8a72-0cf4940f2613", occurred_at=NOW
    ),
    EventScheduled(**CALENDAR_ENTRY),
    EventRescheduled(
        **{**CALENDAR_ENTRY, "sequence": 1},
        previous_starts_at=NOW + dt.timedelta(days=23),
        previous_ends_at=NOW + dt.timedelta(days=23, hours=5),
    ),
    EventUpdated(**{**CALENDAR_ENTRY, "sequence": 2}, changed_fields=["title", "venue"]),
    EventCancelled(
        **{**CALENDAR_ENTRY, "sequence": 2},
        occurrence_start=NOW + dt.timedelta(days=395),
        reason="Unwetterwarnung",
    ),
    ConflictDetected(
        conflict_id="01a20175-6e57-78a0-8a72-0cf4940f2613",
        conflict_kind=ConflictKind.AUDIENCE,
        event_id="01a20175-6e35-7420-942f-2edfc88e1cc8",
        other_event_id="01a20175-6e78-70bc-a585-119e75a4f63d",
        organisation_ids=[ORG, OTHER_ORG],
        overlap_starts_at=NOW + dt.timedelta(days=30, hours=2),
        overlap_ends_at=NOW + dt.timedelta(days=30, hours=5),
        district="Nordstadt",
        shared_audience=[Audience.CHILDREN],
        detected_at=NOW,
    ),
    GroupCreated(**GROUP),
    GroupUpdated(**{**GROUP, "member_ids": [ORG]}),
    RegistrationOpened(**REGISTRATION_COUNTS),
    RegistrationChanged(**{**REGISTRATION_COUNTS, "confirmed": 1, "seats_left": 1}),
    RegistrationClosed(
        **{**REGISTRATION_COUNTS, "confirmed": 2, "seats_left": 0, "waiting": 1}, reason="full"
    ),
    OfferPosted(**LISTING),
    OfferWithdrawn(
        **{**LISTING, "status": ListingStatus.WITHDRAWN},
        reason=WithdrawalReason.WITHDRAWN_BY_OWNER,
    ),
    OfferFulfilled(**{**LISTING, "status": ListingStatus.FULFILLED}),
    RequestPosted(**LISTING),
    RequestWithdrawn(
        **{**LISTING, "status": ListingStatus.EXPIRED}, reason=WithdrawalReason.EXPIRED
    ),
    RequestFulfilled(
        **{**LISTING, "status": ListingStatus.FULFILLED},
        through_match_id="01a20175-6dcf-7d04-889d-7561596255aa",
    ),
    MatchFound(
        match_id="01a20175-6dcf-7d04-889d-7561596255aa",
        offer_id="01a20175-6d8a-7156-84fd-a785183d790f",
        request_id="01a20175-6df1-7fe3-97ab-ab3800dc37cb",
        offer_organisation_id=ORG,
        request_organisation_id=OTHER_ORG,
        category=ListingCategory.LANGUAGE_PARTNER,
        score=0.82,
        reasons=["both German", "same district", "tags: Sprachcafé"],
        offer_title="Seniorinnen und Senioren für Gesprächsrunden",
        request_title="Sprachpartner für ukrainische Jugendliche gesucht",
        found_at=NOW,
    ),
    OfferUpdated(**LISTING, changed_fields=["description", "tags"]),
    RequestUpdated(**LISTING, changed_fields=["languages"]),
    MatchRated(
        match_id="01a20175-6dcf-7d04-889d-7561596255aa",
        offer_id="01a20175-6d8a-7156-84fd-a785183d790f",
        request_id="01a20175-6df1-7fe3-97ab-ab3800dc37cb",
        category=ListingCategory.LANGUAGE_PARTNER,
        side=MatchSide.REQUEST,
        verdict=MatchVerdict.DOES_NOT_FIT,
        via=RatingChannel.EMAIL,
        rated_at=NOW,
    ),
    NotificationSent(**OUTCOME),
    NotificationFailed(**OUTCOME, error="550 5.1.1 <jana@example.org>: Recipient address rejected"),
    SendEmail(
        command_id="01a20175-6e13-7012-9a1c-8de746c2ce99",
        calendar=CalendarAttachment(
            method=CalendarMethod.REQUEST,
            ics="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
        ),
        template=EmailTemplate.INVITATION,
        to="jana@example.org",
        recipient_name="Jana Petrenko",
        params={"organisation_name": "Mriya e.V.", "link": "https://portal.example.org/i/abc"},
        requested_by_service="directory",
    ),
    *CONCEPT_SAMPLES,
]


def _schema(file_name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((SCHEMA_DIR / file_name).read_text(encoding="utf-8"))
    return result


def _sample_id(sample: Payload) -> str:
    return type(sample).__name__


def test_there_is_a_sample_of_every_message() -> None:
    assert [type(sample) for sample in SAMPLES] == list(ALL_MESSAGES)


@pytest.mark.parametrize("sample", SAMPLES, ids=_sample_id)
def test_an_envelope_survives_a_round_trip_through_json(sample: Payload) -> None:
    sent = envelope(sample, correlation_id="01a20175-6e78-70bc-a585-119e75a4f63d")

    received = CloudEvent.model_validate_json(sent.model_dump_json())

    assert received == sent
    model = payload_for_type(received.type)
    assert model is type(sample)
    assert model.model_validate(received.data) == sample
    assert received.subject == sample.subject()
    assert received.correlationid == "01a20175-6e78-70bc-a585-119e75a4f63d"


def test_an_envelope_time_without_offset_is_rejected() -> None:
    document = envelope(SAMPLES[0]).model_dump(mode="json")
    document["time"] = "2026-05-16T12:00:00"

    with pytest.raises(ValidationError, match="UTC offset"):
        CloudEvent.model_validate_json(json.dumps(document))


def test_an_envelope_time_with_another_offset_is_read_as_utc() -> None:
    document = envelope(SAMPLES[0]).model_dump(mode="json")
    document["time"] = "2026-05-16T14:00:00+02:00"

    received = CloudEvent.model_validate(document)

    assert received.time == NOW
    assert received.time.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("sample", SAMPLES, ids=_sample_id)
def test_data_validates_against_the_committed_json_schema(sample: Payload) -> None:
    sent = json.loads(envelope(sample).model_dump_json())
    data_schema = _schema(sample.schema_file_name())

    Draft202012Validator(data_schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        sent["data"]
    )
    Draft202012Validator(_schema(ENVELOPE_FILE_NAME)).validate(sent)
    assert sent["dataschema"] == data_schema["$id"]


@pytest.mark.parametrize("sample", SAMPLES, ids=_sample_id)
def test_unknown_fields_in_data_are_ignored(sample: Payload) -> None:
    data = {**sample.model_dump(mode="json"), "added_in_a_later_version": {"any": "thing"}}

    assert type(sample).model_validate(data) == sample


@pytest.mark.parametrize("sample", SAMPLES, ids=_sample_id)
def test_routing_key_derives_from_the_type(sample: Payload) -> None:
    assert envelope(sample).routing_key == sample.routing_key


def test_routing_key_of_a_foreign_version_drops_prefix_and_version() -> None:
    event = CloudEvent(
        id="x",
        type="integrationsnetz.exchange.offer.posted.v12",
        source="/services/exchange",
        time=NOW,
        data={},
    )

    assert event.routing_key == "exchange.offer.posted"


def test_a_failure_event_never_repeats_the_recipient_address() -> None:
    failed = next(sample for sample in SAMPLES if isinstance(sample, NotificationFailed))

    assert "jana@example.org" not in envelope(failed).model_dump_json()
    assert failed.error == "550 5.1.1 <redacted>: Recipient address rejected"
