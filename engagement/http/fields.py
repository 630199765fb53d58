"""Money and places at the API edge.

Money: integers in minor units out, decimal strings in currency units in.

Every amount is returned twice, e.g. ``"cost": 1250000`` and ``"cost_display": "12500.00"``;
amounts sent to the API are decimal strings in currency units (``"12500.00"``, ``"12500"``)
converted exactly with :func:`engagement.money.to_minor`. The currency is the round's,
given to serializers as ``context["currency"]``.

Places: a latitude or longitude is a JSON number or a plain decimal string, kept to 6
decimals (:class:`LatitudeInput`, :class:`LongitudeInput`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.money import (
    AMOUNT_INVALID,
    AMOUNT_PATTERN,
    from_minor,
    to_minor,
    too_many_decimals,
)


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "string",
                "format": "decimal",
                "pattern": r"^\d{1,15}(\.\d{1,12})?$",
                "example": "12500.00",
            },
            {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999},
        ],
        "description": "Amount in currency units, as a decimal string (at most as many "
        "decimals as the currency has); a whole amount may also be a JSON integer.",
    }
)
class AmountInput(serializers.Field):
    """A decimal string in currency units; validated to a ``Decimal``, converted later.

    The currency may not be known while the field is read (creating a round names its
    organisation in the same body), so conversion happens in :func:`amount_to_minor`.
    """

    default_error_messages = {"invalid": AMOUNT_INVALID}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        text = str(data)
        if not AMOUNT_PATTERN.fullmatch(text):
            self.fail("invalid")
        return Decimal(text)

    def to_representation(self, value: Any) -> str:
        return str(value)


def amount_to_minor(amount: Decimal, currency: str, field: str) -> int:
    """Exact conversion, or a field error naming how many decimals the currency allows."""
    try:
        return to_minor(amount, currency)
    except ValueError:
        raise serializers.ValidationError(
            {
                field: [
                    serializers.ErrorDetail(too_many_decimals(currency), code="too_many_decimals")
                ]
            }
        ) from None


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "example": "12500.00",
        "description": "The same amount in currency units, as a decimal string.",
        "readOnly": True,
    }
)
class AmountDisplay(serializers.Field):
    """Read-only: a minor-unit integer shown as a decimal string in the context's currency."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> str:
        return str(from_minor(value, self.context["currency"]))


# Decimal strings of degrees within range: what the schema can say of a string.
_LATITUDE_TEXT = r"^-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)$"
_LONGITUDE_TEXT = r"^-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)$"


class CoordinateInput(serializers.Field):
    """A latitude or longitude in degrees — a JSON number, or a plain decimal string such as
    ``"56.9496"`` — kept to 6 decimals."""

    default_error_messages = {
        "invalid": _("Enter a number of degrees, such as 56.9496."),
        "min_value": _("Ensure this value is greater than or equal to %(limit)s."),
        "max_value": _("Ensure this value is less than or equal to %(limit)s."),
    }
    text_pattern = ""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str):
            if not re.fullmatch(self.text_pattern, data):
                self.fail("invalid")
        elif isinstance(data, bool) or not isinstance(data, int | float | Decimal):
            self.fail("invalid")  # Decimal: the pages pass their forms' cleaned values
        value = Decimal(str(data))
        if not value.is_finite():
            self.fail("invalid")
        if value < -self.limit:
            self.fail("min_value", limit=-self.limit)
        if value > self.limit:
            self.fail("max_value", limit=self.limit)
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)

    def to_representation(self, value: Any) -> float:
        return float(value)


def _coordinate_schema(limit: int, pattern: str) -> dict[str, Any]:
    return {
        "oneOf": [
            {"type": "number", "format": "double", "minimum": -limit, "maximum": limit},
            {"type": "string", "pattern": pattern, "example": "56.9496"},
        ]
    }


@extend_schema_field(_coordinate_schema(90, _LATITUDE_TEXT))
class LatitudeInput(CoordinateInput):
    text_pattern = _LATITUDE_TEXT

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(limit=90, **kwargs)


@extend_schema_field(_coordinate_schema(180, _LONGITUDE_TEXT))
class LongitudeInput(CoordinateInput):
    text_pattern = _LONGITUDE_TEXT

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(limit=180, **kwargs)
