"""Times in the organisation's zone across daylight-saving changes (Riga: EET/EEST,
Warsaw: CET/CEST; both change on the last Sundays of March and October)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError

from workshops import times


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# --- refusals ------------------------------------------------------------------------------


def test_a_time_skipped_in_spring_in_riga_is_refused():
    # 29 March 2026: at 03:00 EET the clocks in Riga jump to 04:00 EEST.
    with pytest.raises(ValidationError) as caught:
        times.parse_local(date(2026, 3, 29), time(3, 30), "Europe/Riga")
    assert codes(caught.value) == {"starts_at": ["nonexistent_time"]}
    assert "Europe/Riga" in caught.value.messages[0]


def test_a_time_repeated_in_autumn_is_refused_as_ambiguous():
    # 25 October 2026: 03:00-04:00 EEST happens, then 03:00-04:00 EET again.
    with pytest.raises(ValidationError) as caught:
        times.parse_local(date(2026, 10, 25), time(3, 30), "Europe/Riga", field="ends_at")
    assert codes(caught.value) == {"ends_at": ["ambiguous_time"]}


def test_warsaw_skips_two_oclock_not_three():
    with pytest.raises(ValidationError):
        times.parse_local(date(2026, 3, 29), time(2, 30), "Europe/Warsaw")
    assert times.parse_local(date(2026, 3, 29), time(3, 30), "Europe/Warsaw") == utc(
        2026, 3, 29, 1, 30
    )


# --- the same wall-clock time on both sides of a change --------------------------------------


@pytest.mark.parametrize(
    ("day", "clock", "zone", "expected_utc", "abbreviation"),
    [
        # Riga, spring forward on 29 March 2026
        (date(2026, 3, 28), time(10), "Europe/Riga", utc(2026, 3, 28, 8), "EET"),
        (date(2026, 3, 29), time(10), "Europe/Riga", utc(2026, 3, 29, 7), "EEST"),
        # Riga, fall back on 25 October 2026
        (date(2026, 10, 25), time(10), "Europe/Riga", utc(2026, 10, 25, 8), "EET"),
        (date(2026, 10, 24), time(10), "Europe/Riga", utc(2026, 10, 24, 7), "EEST"),
        # Warsaw
        (date(2026, 3, 28), time(10), "Europe/Warsaw", utc(2026, 3, 28, 9), "CET"),
        (date(2026, 3, 29), time(10), "Europe/Warsaw", utc(2026, 3, 29, 8), "CEST"),
        (date(2026, 10, 25), time(10), "Europe/Warsaw", utc(2026, 10, 25, 9), "CET"),
    ],
)
def test_wall_clock_to_utc_and_back(day, clock, zone, expected_utc, abbreviation):
    moment = times.parse_local(day, clock, zone)
    assert moment == expected_utc
    assert times.zone_abbreviation(moment, zone) == abbreviation
    assert times.local_time(moment, zone) == f"10:00 {abbreviation}"


def test_span_on_the_spring_forward_day():
    start = times.parse_local(date(2026, 3, 29), time(10), "Europe/Warsaw")
    end = times.parse_local(date(2026, 3, 29), time(12, 30), "Europe/Warsaw")
    assert (
        times.local_span(start, end, "Europe/Warsaw") == "Sun 29 March 2026, 10:00\u201312:30 CEST"
    )


def test_span_across_the_change_names_both_zones():
    # 01:00-05:00 local on the October change day in Riga: starts in summer time.
    start = utc(2026, 10, 24, 22)  # 01:00 EEST
    end = utc(2026, 10, 25, 3)  # 05:00 EET
    assert times.local_span(start, end, "Europe/Riga") == (
        "Sun 25 October 2026, 01:00 EEST\u201305:00 EET"
    )


def test_iso_has_the_offset_of_the_day():
    assert times.iso(utc(2026, 6, 15, 8), "Europe/Warsaw") == "2026-06-15T10:00:00+02:00"
    assert times.iso(utc(2026, 12, 15, 9), "Europe/Warsaw") == "2026-12-15T10:00:00+01:00"
    assert times.iso(None, "Europe/Warsaw") is None


def test_naive_is_a_wall_clock_time_aware_is_an_instant():
    naive = datetime(2026, 6, 15, 10)
    assert times.check_wall_clock(naive, "Europe/Riga", field="starts_at") == utc(2026, 6, 15, 7)
    aware = utc(2026, 6, 15, 7)
    assert times.check_wall_clock(aware, "Europe/Warsaw", field="starts_at") == aware
    with pytest.raises(ValidationError):
        times.check_wall_clock(datetime(2026, 3, 29, 3, 30), "Europe/Riga", field="starts_at")
