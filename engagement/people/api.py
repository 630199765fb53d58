"""REST endpoints for organisations, staff roles and the signed-in person.

Thin: input serializers validate shape, services decide and write, output serializers
describe what is returned.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import Input, IsAuthenticated
from engagement.people import permissions, selectors, services
from engagement.people.models import (
    COUNTRIES,
    District,
    Membership,
    Organisation,
    ResidentProfile,
    Role,
    TargetGroup,
    User,
)
from engagement.people.models.users import BIRTH_YEAR_MIN, FUTURE_BIRTH_YEAR


class DistrictOutput(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["slug", "name"]


class OrganisationOutput(serializers.ModelSerializer):
    country_name = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "country",
            "country_name",
            "region",
            "time_zone",
            "languages",
            "currency",
            "is_capital",
            "website",
            "brand_colour",
        ]

    def get_country_name(self, obj: Organisation) -> str:
        return COUNTRIES.get(obj.country, obj.country)


class OrganisationDetailOutput(OrganisationOutput):
    districts = DistrictOutput(many=True, read_only=True)

    class Meta(OrganisationOutput.Meta):
        fields = [*OrganisationOutput.Meta.fields, "districts"]


class OrganisationList(APIView):
    @extend_schema(responses=OrganisationOutput(many=True), operation_id="organisations_list")
    def get(self, request: Request) -> Response:
        return Response(OrganisationOutput(selectors.organisation_list(), many=True).data)


class OrganisationDetail(APIView):
    @extend_schema(responses=OrganisationDetailOutput, operation_id="organisations_retrieve")
    def get(self, request: Request, slug: str) -> Response:
        organisation = get_object_or_404(
            Organisation.objects.prefetch_related("districts"), slug=slug
        )
        return Response(OrganisationDetailOutput(organisation).data)


class MembershipOutput(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["email", "role", "created_at"]


class MembershipInput(Input):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


def _organisation_for_staff(request: Request, slug: str) -> Organisation:
    """404 rather than 403 for outsiders, so staff lists do not reveal who works where."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.is_staff_of(request.user, organisation):
        raise Http404
    return organisation


class MembershipCollection(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MembershipOutput(many=True), operation_id="memberships_list")
    def get(self, request: Request, slug: str) -> Response:
        organisation = _organisation_for_staff(request, slug)
        members = selectors.organisation_members(organisation)
        return Response(MembershipOutput(members, many=True).data)

    @extend_schema(
        request=MembershipInput,
        responses={201: MembershipOutput},
        operation_id="memberships_grant",
    )
    def post(self, request: Request, slug: str) -> Response:
        organisation = _organisation_for_staff(request, slug)
        services.require_role_granter(request.user, organisation)
        data = MembershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(email=data.validated_data["email"].lower()).first()
        if user is None:
            raise serializers.ValidationError({"email": [_("No user has this email address.")]})
        membership = services.membership_grant(
            actor=request.user,
            organisation=organisation,
            user=user,
            role=data.validated_data["role"],
        )
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MembershipInput, responses={204: None}, operation_id="memberships_revoke"
    )
    def delete(self, request: Request, slug: str) -> Response:
        organisation = _organisation_for_staff(request, slug)
        services.require_role_granter(request.user, organisation, revoking=True)
        data = MembershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_object_or_404(User, email=data.validated_data["email"].lower())
        services.membership_revoke(
            actor=request.user,
            organisation=organisation,
            user=user,
            role=data.validated_data["role"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileSerializer(Input, serializers.ModelSerializer):
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices), required=False
    )

    class Meta:
        model = ResidentProfile
        fields = ["birth_year", "target_groups"]

    def get_fields(self) -> dict[str, serializers.Field]:
        # Not in the future: the bound moves with the year (the schema states this year's).
        fields = super().get_fields()
        fields["birth_year"] = serializers.IntegerField(
            min_value=BIRTH_YEAR_MIN,
            max_value=timezone.now().year,
            allow_null=True,
            required=False,
            error_messages={"max_value": FUTURE_BIRTH_YEAR},
        )
        return fields


class StaffRoleOutput(serializers.Serializer):
    organisation = serializers.SlugField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class MeOutput(serializers.Serializer):
    email = serializers.EmailField()
    display_name = serializers.CharField()
    is_platform_admin = serializers.BooleanField()
    profile = ProfileSerializer(allow_null=True)
    staff_roles = StaffRoleOutput(many=True)


class MeInput(Input):
    display_name = serializers.CharField(max_length=80, allow_blank=True, required=False)
    profile = ProfileSerializer(required=False)


def _me_payload(user: User) -> dict[str, object]:
    profile = ResidentProfile.objects.filter(user=user).first()
    return {
        "email": user.email,
        "display_name": user.display_name,
        "is_platform_admin": permissions.is_platform_admin(user),
        "profile": ProfileSerializer(profile).data if profile else None,
        "staff_roles": selectors.staff_roles_of(user),
    }


class Me(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput, operation_id="me_retrieve")
    def get(self, request: Request) -> Response:
        return Response(MeOutput(_me_payload(request.user)).data)

    @extend_schema(request=MeInput, responses=MeOutput, operation_id="me_update")
    def patch(self, request: Request) -> Response:
        data = MeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if "display_name" in data.validated_data:
            user.display_name = data.validated_data["display_name"]
            user.save(update_fields=["display_name"])
        if "profile" in data.validated_data:
            changes = data.validated_data["profile"]
            current = ResidentProfile.objects.filter(user=user).first()
            services.resident_profile_update(
                user=user,
                birth_year=changes.get("birth_year", current.birth_year if current else None),
                target_groups=changes.get(
                    "target_groups", current.target_groups if current else []
                ),
            )
        return Response(MeOutput(_me_payload(user)).data)
