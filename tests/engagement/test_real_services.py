"""Behaviour that only real PostgreSQL and Redis can show."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, connections

from engagement.people import services
from engagement.people.models import Membership, Role
from engagement.people.permissions import SYSTEM
from tests import factories


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_of_one_role_leave_exactly_one_membership():
    town = factories.OrganisationFactory()
    person = factories.UserFactory()

    def grant(_: int) -> int:
        try:
            membership = services.membership_grant(
                actor=SYSTEM, organisation=town, user=person, role=Role.REVIEWER
            )
            return membership.pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        ids = set(pool.map(grant, range(24)))
    assert Membership.objects.filter(user=person, organisation=town).count() == 1
    assert len(ids) == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 140000


@pytest.mark.redis
def test_channel_layer_is_redis_and_delivers_group_messages():
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")

    async def round_trip() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("kopa-test-group", channel)
        try:
            await layer.group_send("kopa-test-group", {"type": "probe", "n": 7})
            return await layer.receive(channel)
        finally:
            await layer.group_discard("kopa-test-group", channel)

    assert async_to_sync(round_trip)() == {"type": "probe", "n": 7}
