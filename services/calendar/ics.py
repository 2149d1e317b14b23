"""iCalendar (RFC 5545), both ways: the feeds the calendar publishes, and the feeds of
organisations it imports. Built and read with `icalendar`; no I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Timezone, vRecur
from icalendar import Event as VEvent

from services.calendar.domain import Event, OccurrenceOverride
from services.calendar.recurrence import parse_occurrence_key, to_utc, zone

PRODID = "-//Integrationsnetz//Kalender 1.0//DE"
UID_DOMAIN = "integrationsnetz"


def event_uid(event_id: str) -> str:
    return f"{event_id}@{UID_DOMAIN}"


def event_url(portal_url: str, event_id: str) -> str:
    return f"{portal_url.rstrip('/')}/events/{event_id}"


@cache
def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE generated from zoneinfo (slow to build, so kept)."""
    return Timezone.from_tzid(
        name, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year, 1, 1)
    )


def _location(event: Event) -> str | None:
    venue = event.venue
    if venue is None:
        return None
    place = ", ".join(part for part in (venue.room, venue.name) if part)
    parts = [part for part in (place, venue.address) if part]
    return " – ".join(parts) or None


def _rrule(event: Event) -> vRecur:
    assert event.rrule is not None
    rule: vRecur = vRecur.from_ical(event.rrule)
    if event.all_day and "UNTIL" in rule:
        # With a DATE start, UNTIL must be a DATE too (RFC 5545 3.3.10).
        until = rule["UNTIL"][0]
        rule["UNTIL"] = [until.astimezone(zone(event.timezone)).date()]
    return rule


def _vevents(event: Event, portal_url: str) -> Iterator[VEvent]:
    tz = zone(event.timezone)

    def when(moment: dt.datetime) -> dt.date | dt.datetime:
        local = moment.astimezone(tz)
        return local.date() if event.all_day else local

    def common(component: VEvent) -> None:
        component.add("UID", event_uid(event.id))
        component.add("SEQUENCE", event.sequence)
        component.add("DTSTAMP", event.updated_at.astimezone(dt.UTC))
        component.add("LAST-MODIFIED", event.updated_at.astimezone(dt.UTC))
        component.add("SUMMARY", event.title)
        if event.description:
            component.add("DESCRIPTION", event.description)
        location = _location(event)
        if location:
            component.add("LOCATION", location)
        component.add("URL", event_url(portal_url, event.id))
        component.add("STATUS", "CANCELLED" if event.cancelled else "CONFIRMED")

    master = VEvent()
    common(master)
    master.add("CREATED", event.created_at.astimezone(dt.UTC))
    master.add("DTSTART", when(event.starts_at))
    master.add("DTEND", when(event.ends_at))
    if event.rrule is not None:
        master.add("RRULE", _rrule(event))
        cancelled = [
            parse_occurrence_key(key)
            for key, override in event.overrides.items()
            if override.state == "cancelled"
        ]
        excluded = sorted({*event.exdates, *cancelled})
        if excluded:
            master.add("EXDATE", [when(moment) for moment in excluded])
    yield master
    for key, override in sorted(event.overrides.items()):
        if override.state != "moved":
            continue
        assert override.starts_at is not None
        assert override.ends_at is not None
        moved = VEvent()
        common(moved)
        moved.add("RECURRENCE-ID", when(parse_occurrence_key(key)))
        moved.add("DTSTART", when(override.starts_at))
        moved.add("DTEND", when(override.ends_at))
        yield moved


def build_feed(events: Iterable[Event], *, name: str, portal_url: str, uid: str) -> bytes:
    """A VCALENDAR with one VEVENT per event (plus one per moved occurrence) and a VTIMEZONE
    for every zone used."""
    calendar = Calendar.new(prodid=PRODID, name=name, uid=uid, method="PUBLISH")
    calendar.add("X-WR-TIMEZONE", "Europe/Berlin")
    calendar.add("REFRESH-INTERVAL", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", dt.timedelta(hours=1))
    years: dict[str, tuple[int, int]] = {}
    components: list[Component] = []
    for event in events:
        components.extend(_vevents(event, portal_url))
        if not event.all_day:
            low, high = years.get(event.timezone, (event.starts_at.year, event.starts_at.year))
            last = max(event.ends_at.year, event.starts_at.year + 3)
            years[event.timezone] = (min(low, event.starts_at.year), max(high, last))
    for name_, (first_year, last_year) in sorted(years.items()):
        calendar.add_component(_vtimezone(name_, first_year - 1, last_year + 1))
    for component in components:
        calendar.add_component(component)
    return bytes(calendar.to_ical())


def invitation_ics(
    event: Event,
    *,
    method: str,
    portal_url: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str | None = None,
) -> str:
    """An iTIP invitation (RFC 5546) for one attendee: `method` `REQUEST` adds or updates the
    entry in the attendee's calendar program (the event's UID and SEQUENCE), `CANCEL` removes
    it. The whole event with its series and moved occurrences, as in the feeds."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = Calendar.new(prodid=PRODID, method=method)
    if not event.all_day:
        last_year = max(event.ends_at.year, event.starts_at.year + 3)
        calendar.add_component(_vtimezone(event.timezone, event.starts_at.year - 1, last_year + 1))
    for component in _vevents(event, portal_url):
        component.add("ORGANIZER", f"mailto:{organizer_email}", parameters={"CN": organizer_name})
        attendee = {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"}
        if attendee_name:
            attendee["CN"] = attendee_name
        component.add("ATTENDEE", f"mailto:{attendee_email}", parameters=attendee)
        if method == "CANCEL":
            component["STATUS"] = "CANCELLED"
        calendar.add_component(component)
    return bytes(calendar.to_ical()).decode("utf-8")


# --- reading an organisation's feed ------------------------------------------------------


class FeedError(ValueError):
    """A feed that cannot be read at all."""


class EntryError(ValueError):
    """An event of a feed that cannot be taken; the message quotes nothing of the feed."""


def _problem(uid: str, exc: Exception) -> str:
    """Why an event was skipped, without the parser's words (they quote the feed's lines)."""
    if isinstance(exc, EntryError):
        return f"{uid}: {exc}"
    return f"{uid}: a date, time or rule could not be read"


@dataclass
class FeedEntry:
    """One event of an imported feed, as the organiser's calendar program describes it."""

    uid: str
    #: EventCreate fields (without organisation and defaults of the import).
    fields: dict[str, Any]
    cancelled: bool = False
    overrides: list[tuple[dt.datetime, OccurrenceOverride]] = field(default_factory=list)


def _aware(value: dt.date | dt.datetime, default: ZoneInfo) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=default)  # "floating" time: the organisation's own zone
    return value


def _zone_name(value: dt.date | dt.datetime, default: str) -> str:
    if isinstance(value, dt.datetime) and isinstance(value.tzinfo, ZoneInfo):
        try:
            return zone(value.tzinfo.key).key
        except ValueError:
            return default
    return default


def _end(component: Component, start: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if "DTEND" in component:
        end: dt.date | dt.datetime = component.decoded("DTEND")
        return end
    if "DURATION" in component:
        duration: dt.timedelta = component.decoded("DURATION")
        return start + duration
    if isinstance(start, dt.datetime):
        return start + dt.timedelta(hours=1)
    return start + dt.timedelta(days=1)


def _text(component: Component, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def read_feed(data: bytes, default_timezone: str) -> tuple[list[FeedEntry], list[str]]:
    """The feed's events, and why some could not be read. Raises FeedError for a feed that is
    not iCalendar at all."""
    default = zone(default_timezone)
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        # The parser's message quotes the offending line: never shown (it may be anything).
        raise FeedError("not an iCalendar feed: a line could not be read") from exc
    if not isinstance(calendar, Calendar):
        raise FeedError("not an iCalendar feed: no VCALENDAR")
    entries: dict[str, FeedEntry] = {}
    exceptions: list[Component] = []
    problems: list[str] = []
    for component in calendar.walk("VEVENT"):
        uid = _text(component, "UID")
        if not uid:
            problems.append("an event without UID was skipped")
            continue
        if "RECURRENCE-ID" in component:
            exceptions.append(component)
            continue
        try:
            entries[uid] = _entry(uid, component, default, default_timezone)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(_problem(uid, exc))
    for component in exceptions:
        uid = _text(component, "UID")
        master = entries.get(uid)
        if master is None:
            problems.append(f"{uid}: a changed occurrence without its series was skipped")
            continue
        try:
            master.overrides.append(_override(component, default))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(_problem(uid, exc))
    return list(entries.values()), problems


def _entry(uid: str, component: Component, default: ZoneInfo, default_name: str) -> FeedEntry:
    if "DTSTART" not in component:
        raise EntryError("no DTSTART")
    start = _aware(component.decoded("DTSTART"), default)
    end = _aware(_end(component, start), default)
    fields: dict[str, Any] = {
        "title": (_text(component, "SUMMARY") or "(ohne Titel)")[:200],
        "description": _text(component, "DESCRIPTION")[:5000],
        "starts_at": start,
        "ends_at": end,
        "timezone": _zone_name(start, default_name),
    }
    location = _text(component, "LOCATION")
    if location:
        fields["venue"] = {"name": location[:200]}
    rules = component.get("RRULE")
    if rules is not None:
        if isinstance(rules, list):
            if len(rules) != 1:
                raise EntryError("more than one RRULE is not supported")
            rules = rules[0]
        exdates: list[dt.date | dt.datetime] = []
        raw = component.get("EXDATE")
        for group in raw if isinstance(raw, list) else [raw] if raw is not None else []:
            exdates.extend(_aware(item.dt, default) for item in group.dts)
        fields["recurrence"] = {"rrule": rules.to_ical().decode(), "exdates": exdates}
    cancelled = _text(component, "STATUS").upper() == "CANCELLED"
    return FeedEntry(uid=uid, fields=fields, cancelled=cancelled)


def _utc(value: dt.date | dt.datetime, default: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=default)
    return to_utc(_aware(value, default))  # type: ignore[arg-type]


def _override(component: Component, default: ZoneInfo) -> tuple[dt.datetime, OccurrenceOverride]:
    original = _utc(component.decoded("RECURRENCE-ID"), default)
    if _text(component, "STATUS").upper() == "CANCELLED":
        return original, OccurrenceOverride(state="cancelled")
    start = component.decoded("DTSTART")
    end = _end(component, start)
    return original, OccurrenceOverride(
        state="moved", starts_at=_utc(start, default), ends_at=_utc(end, default)
    )
