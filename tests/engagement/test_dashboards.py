"""engagement.dashboards: features add counts to staff dashboards without knowing who draws them."""

import pytest

from engagement import dashboards


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch):
    monkeypatch.setattr(dashboards, "_counts", {})
    monkeypatch.setattr(dashboards, "_listeners", [])


def test_counts_are_asked_for_the_organisation_and_listed_by_name():
    dashboards.register_count("review_queue", lambda organisation_id: organisation_id * 10)
    dashboards.register_count("moderation_queue", lambda organisation_id: organisation_id + 1)
    assert dashboards.counts_for(4) == {"moderation_queue": 5, "review_queue": 40}
    assert list(dashboards.counts_for(4)) == ["moderation_queue", "review_queue"]


def test_a_change_reaches_every_listener_once_with_the_organisation():
    heard: list[tuple[str, int]] = []

    def first(organisation_id):
        heard.append(("first", organisation_id))

    dashboards.register_listener(first)
    dashboards.register_listener(first)
    dashboards.register_listener(lambda organisation_id: heard.append(("second", organisation_id)))
    dashboards.counts_changed(9)
    assert heard == [("first", 9), ("second", 9)]


def test_without_listeners_a_change_is_harmless():
    dashboards.counts_changed(1)
    assert dashboards.counts_for(1) == {}
