"""The emulators' lean serving paths answer exactly what the plain ones did (bench/rollup.py leans on them)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from collabsync.testing.jira_catalog import jira_time

ZONES = [dt.UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata"), dt.timezone(dt.timedelta(hours=-3, minutes=-30))]


def _two_strftimes(when: dt.datetime, tz: dt.tzinfo) -> str:
    """jira_time as it was written before one strftime replaced two."""
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_jira_time_matches_the_two_strftime_form(tz: dt.tzinfo) -> None:
    base = dt.datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=dt.UTC)  # Berlin's DST change is an hour later
    for step in range(0, 48 * 3600, 3607):
        when = base + dt.timedelta(seconds=step, microseconds=step * 37 % 1_000_000)
        assert jira_time(when, tz) == _two_strftimes(when, tz)
    assert jira_time(dt.datetime(999, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC)) == _two_strftimes(
        dt.datetime(999, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC), dt.UTC
    )


def test_status_lookup_by_id_finds_what_the_scan_found() -> None:
    """The id index answers as the first-match scan did: no status is named like another's id."""
    from collabsync.testing.jira_catalog import STATUSES
    from collabsync.testing.jira_store import JiraStore

    store = JiraStore.__new__(JiraStore)
    names = {name.lower() for _, name, _, _ in STATUSES}
    for row in STATUSES:
        assert row[0] not in names
        assert store.status(row[0]) == row == store.status(row[1].upper())
