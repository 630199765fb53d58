"""Workshop times: stored in UTC, entered and shown in the organisation's time zone.

Shown with the zone's abbreviation as it is on that day ("10:00-12:30 CEST" in summer,
"CET" in winter), so a workshop just after a daylight-saving change reads right. Entering a
wall-clock time that does not exist (the hour skipped in spring) or exists twice (the hour
repeated in autumn) is refused with a code rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

DEFAULT_ZONE = "Europe/Riga"
# Between the times of a span, as typeset: an en dash reads as a range, not a minus.
DASH = "\u2013"


def zone(tz_name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_local(moment: datetime, tz_name: str | None) -> datetime:
    return moment.astimezone(zone(tz_name))


def zone_abbreviation(moment: datetime, tz_name: str | None) -> str:
    """The zone's abbreviation at ``moment`` ("CEST", "EET"); the UTC offset ("+04") for
    zones whose database has no letters."""
    return to_local(moment, tz_name).tzname() or ""


def local_date(moment: datetime, tz_name: str | None) -> str:
    """ "Mon 15 June 2026" style, in the active language."""
    local = to_local(moment, tz_name)
    return formats.date_format(local, "D j F Y")


def local_time(moment: datetime, tz_name: str | None, *, with_zone: bool = True) -> str:
    """ "10:00 CEST"."""
    local = to_local(moment, tz_name)
    text = local.strftime("%H:%M")
    return f"{text} {local.tzname()}" if with_zone else text


def local_span(starts_at: datetime, ends_at: datetime, tz_name: str | None) -> str:
    """The span as people read it: "Mon 15 June 2026, 10:00-12:30 CEST" (with an en
    dash); both dates when it ends on another day, and both abbreviations when a
    daylight-saving change falls inside it."""
    start, end = to_local(starts_at, tz_name), to_local(ends_at, tz_name)
    if start.date() == end.date():
        if start.tzname() == end.tzname():
            times = f"{start:%H:%M}{DASH}{end:%H:%M} {end.tzname()}"
        else:
            times = f"{start:%H:%M} {start.tzname()}{DASH}{end:%H:%M} {end.tzname()}"
        return f"{local_date(starts_at, tz_name)}, {times}"
    return (
        f"{local_date(starts_at, tz_name)}, {start:%H:%M} {start.tzname()} {DASH} "
        f"{local_date(ends_at, tz_name)}, {end:%H:%M} {end.tzname()}"
    )


def _round_trips(local: datetime, tz: ZoneInfo) -> bool:
    return local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)


def parse_local(
    day: date, clock: time, tz_name: str | None, *, field: str = "starts_at"
) -> datetime:
    """The moment (aware, UTC) that ``day`` ``clock`` means in the zone ``tz_name``.

    Raises ValidationError on ``field``: ``nonexistent_time`` for a time skipped when the
    clocks go forward, ``ambiguous_time`` for one that happens twice when they go back.
    """
    tz = zone(tz_name)
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if not _round_trips(first, tz):
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "%(time)s does not exist on %(date)s in %(zone)s: the clocks go "
                        "forward then. Choose a time outside the skipped hour."
                    ),
                    code="nonexistent_time",
                    params={
                        "time": clock.strftime("%H:%M"),
                        "date": day.isoformat(),
                        "zone": tz.key,
                    },
                )
            }
        )
    if first.utcoffset() != second.utcoffset():
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "%(time)s happens twice on %(date)s in %(zone)s: the clocks go back "
                        "then. Choose a time outside the repeated hour."
                    ),
                    code="ambiguous_time",
                    params={
                        "time": clock.strftime("%H:%M"),
                        "date": day.isoformat(),
                        "zone": tz.key,
                    },
                )
            }
        )
    return first.astimezone(UTC)


def check_wall_clock(moment: datetime, tz_name: str | None, *, field: str) -> datetime:
    """A naive ``moment`` is a wall-clock time in the zone: parsed as such (refusing skipped
    and repeated times). An aware one is an exact instant already: returned in UTC."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        return parse_local(moment.date(), moment.time(), tz_name, field=field)
    return moment.astimezone(UTC)


def iso(moment: datetime | None, tz_name: str | None = None) -> str | None:
    """ISO 8601 with the offset in the organisation's zone (``2026-06-15T10:00:00+02:00``)."""
    if moment is None:
        return None
    return to_local(moment, tz_name).isoformat()
