"""Organisation, membership and profile services (no HTTP)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from engagement.people import permissions, services
from engagement.people.models import Membership, Residence, Role
from tests import factories

pytestmark = pytest.mark.django_db


class TestOrganisationCreate:
    def test_creates_with_validated_fields(self):
        town = services.organisation_create(
            actor=permissions.SYSTEM,
            name="Tartu",
            slug="tartu",
            country="EE",
            time_zone="Europe/Tallinn",
            languages=["et", "en"],
            currency="EUR",
        )
        assert town.pk is not None
        assert town.minor_unit_digits == 2

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("country", "XX"),
            ("time_zone", "Mars/Olympus"),
            ("languages", ["xx"]),
            ("languages", []),
            ("currency", "BTC"),
            ("brand_colour", "blue"),
        ],
    )
    def test_rejects_bad_values_by_field(self, field, value):
        fields = {"name": "Tartu", "slug": "tartu", "country": "EE", field: value}
        fields["actor"] = permissions.SYSTEM
        with pytest.raises(ValidationError) as error:
            services.organisation_create(**fields)
        assert field in error.value.message_dict

    def test_duplicate_slug_is_a_field_error_and_keeps_the_first(self, riga):
        with pytest.raises(ValidationError) as error:
            services.organisation_create(
                actor=permissions.SYSTEM, name="Other", slug="riga", country="LV"
            )
        assert "slug" in error.value.message_dict
        riga.refresh_from_db()
        assert riga.name == "Rīga"

    def test_only_the_platform_adds_organisations(self, riga_admin):
        for actor in (None, riga_admin):
            with pytest.raises(PermissionDenied):
                services.organisation_create(actor=actor, name="Tartu", slug="tartu", country="EE")
        assert services.organisation_create(
            actor=permissions.SYSTEM, name="Tartu", slug="tartu", country="EE"
        ).pk


class TestOrganisationUpdate:
    def test_a_colour_that_makes_white_text_unreadable_is_refused(self, riga, riga_admin):
        with pytest.raises(ValidationError) as error:
            services.organisation_update(
                actor=riga_admin, organisation=riga, brand_colour="#7fb2ff"
            )
        assert error.value.message_dict["brand_colour"][0].startswith(
            "White text on this colour has a contrast of 2.2:1"
        )
        riga.refresh_from_db()
        assert riga.brand_colour == "#1a5fb4"

    def test_a_dark_enough_colour_is_kept(self, riga, riga_admin):
        services.organisation_update(actor=riga_admin, organisation=riga, brand_colour="#0b5d1e")
        riga.refresh_from_db()
        assert riga.brand_colour == "#0b5d1e"


class TestMemberships:
    def test_administrator_grants_a_role(self, riga, riga_admin):
        person = factories.UserFactory()
        services.membership_grant(
            actor=riga_admin, organisation=riga, user=person, role=Role.REVIEWER
        )
        assert permissions.can_review(person, riga)

    def test_granting_twice_is_idempotent(self, riga, riga_admin):
        person = factories.UserFactory()
        for _ in range(2):
            services.membership_grant(
                actor=riga_admin, organisation=riga, user=person, role=Role.OFFICER
            )
        assert Membership.objects.filter(user=person, organisation=riga).count() == 1

    def test_moderator_cannot_grant(self, riga, riga_moderator):
        with pytest.raises(PermissionDenied):
            services.membership_grant(
                actor=riga_moderator,
                organisation=riga,
                user=riga_moderator,
                role=Role.ADMINISTRATOR,
            )
        assert not permissions.can_manage_organisation(riga_moderator, riga)

    def test_admin_of_another_organisation_cannot_grant(self, riga, gdansk_admin):
        with pytest.raises(PermissionDenied):
            services.membership_grant(
                actor=gdansk_admin, organisation=riga, user=gdansk_admin, role=Role.ADMINISTRATOR
            )
        assert not Membership.objects.filter(organisation=riga, user=gdansk_admin).exists()

    def test_no_actor_cannot_grant(self, riga):
        person = factories.UserFactory()
        with pytest.raises(PermissionDenied):
            services.membership_grant(actor=None, organisation=riga, user=person, role=Role.OFFICER)
        assert not Membership.objects.filter(organisation=riga, user=person).exists()

    def test_the_system_grants_and_is_recorded_as_nobody(self, riga):
        person = factories.UserFactory()
        membership = services.membership_grant(
            actor=permissions.SYSTEM, organisation=riga, user=person, role=Role.OFFICER
        )
        assert membership.granted_by is None
        assert permissions.can_enter_paper_ballots(person, riga)

    def test_an_administrator_is_recorded_as_granter(self, riga, riga_admin):
        person = factories.UserFactory()
        membership = services.membership_grant(
            actor=riga_admin, organisation=riga, user=person, role=Role.OFFICER
        )
        assert membership.granted_by == riga_admin

    def test_last_administrator_cannot_be_removed(self, riga, riga_admin):
        with pytest.raises(ValidationError) as error:
            services.membership_revoke(
                actor=riga_admin, organisation=riga, user=riga_admin, role=Role.ADMINISTRATOR
            )
        assert error.value.message_dict["role"]
        assert permissions.can_manage_organisation(riga_admin, riga)

    def test_revoke_removes_the_role(self, riga, riga_admin, riga_moderator):
        services.membership_revoke(
            actor=riga_admin, organisation=riga, user=riga_moderator, role=Role.MODERATOR
        )
        assert not Membership.objects.filter(user=riga_moderator).exists()

    def test_database_refuses_duplicate_role_rows(self, riga, riga_admin):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=riga_admin, organisation=riga, role=Role.ADMINISTRATOR)


class TestResidentData:
    def test_profile_keeps_only_known_target_groups(self, resident):
        profile = services.resident_profile_update(
            user=resident, birth_year=1950, target_groups=["elderly", "elderly"]
        )
        assert profile.target_groups == ["elderly"]
        with pytest.raises(ValidationError) as error:
            services.resident_profile_update(user=resident, target_groups=["astronaut"])
        assert "target_groups" in error.value.message_dict
        profile.refresh_from_db()
        assert profile.birth_year == 1950

    def test_birth_year_in_the_future_is_rejected(self, resident):
        with pytest.raises(ValidationError) as error:
            services.resident_profile_update(user=resident, birth_year=2999)
        assert "birth_year" in error.value.message_dict

    def test_residence_district_must_belong_to_the_organisation(self, riga, gdansk, resident):
        gdansk_district = factories.DistrictFactory(organisation=gdansk)
        with pytest.raises(ValidationError) as error:
            services.residence_set(user=resident, organisation=riga, district=gdansk_district)
        assert "district" in error.value.message_dict
        assert not Residence.objects.filter(user=resident, district=gdansk_district).exists()
