"""What an author writes of an idea, checked the same way by the API and the pages.

``IdeaFieldsInput`` checks shape and turns references into objects (district slugs) and
decimal amounts into minor units (``engagement.http.fields``); the services decide the rest
and sanitise text. ``field_error`` is how these inputs name a refused field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from engagement.http.api import Input
from engagement.http.fields import AmountInput, LatitudeInput, LongitudeInput, amount_to_minor
from engagement.ideas.models import ParticipatoryProcess
from engagement.ideas.services.ideas import DESCRIPTION_MAX, TITLE_MAX
from engagement.people.models import District


def field_error(field: str, message: Any, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(str(message), code=code)]})


class IdeaFieldsInput(Input):
    """What an author writes; every field optional (``PATCH``)."""

    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text="Rich text: p, br, strong, em, ul, ol, li, a[href]; anything else removed.",
    )
    category = serializers.CharField(max_length=80, allow_blank=True, required=False)
    district = serializers.SlugField(
        max_length=80, allow_null=True, required=False, help_text="A district slug."
    )
    latitude = LatitudeInput(allow_null=True, required=False)
    longitude = LongitudeInput(allow_null=True, required=False)
    estimated_cost = AmountInput(
        allow_null=True, required=False, help_text="The author's estimate, in currency units."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Districts by slug within the process's organisation; amounts to minor units."""
        process: ParticipatoryProcess = self.context["process"]
        if attrs.get("district") is not None:
            district = District.objects.filter(
                organisation_id=process.organisation_id, slug=attrs["district"]
            ).first()
            if district is None:
                raise field_error(
                    "district",
                    _("%(organisation)s has no district %(district)s.")
                    % {"organisation": process.organisation.name, "district": attrs["district"]},
                    "unknown_district",
                )
            attrs["district"] = district
        if attrs.get("estimated_cost") is not None:
            attrs["estimated_cost"] = amount_to_minor(
                attrs["estimated_cost"], process.currency, "estimated_cost"
            )
        return attrs
