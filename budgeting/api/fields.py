"""Money at the API edge: integers in minor units out, decimal strings in currency units in.

Every amount is returned twice, e.g. ``"cost": 1250000`` and ``"cost_display": "12500.00"``;
amounts sent to the API are decimal strings in currency units (``"12500.00"``, ``"12500"``)
converted exactly with :func:`budgeting.money.to_minor`. The currency is the round's,
given to serializers as ``context["currency"]``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgeting.money import from_minor, to_minor
from engagement.models import CURRENCIES

# At most 15 digits before the point keeps every amount inside a 64-bit integer of minor units.
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,12})?$")


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^\d{1,15}(\.\d{1,12})?$",
        "example": "12500.00",
        "description": "Amount in currency units, as a decimal string (at most as many "
        "decimals as the currency has).",
    }
)
class AmountInput(serializers.Field):
    """A decimal string in currency units; validated to a ``Decimal``, converted later.

    The currency may not be known while the field is read (creating a round names its
    organisation in the same body), so conversion happens in :func:`amount_to_minor`.
    """

    default_error_messages = {
        "invalid": _("Enter an amount such as 12500.00 (digits, optionally a decimal point)."),
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        text = str(data).strip()
        if not _AMOUNT.match(text):
            self.fail("invalid")
        return Decimal(text)

    def to_representation(self, value: Any) -> str:
        return str(value)


def amount_to_minor(amount: Decimal, currency: str, field: str) -> int:
    """Exact conversion, or a field error naming how many decimals the currency allows."""
    try:
        return to_minor(amount, currency)
    except ValueError:
        digits = CURRENCIES.get(currency, 2)
        raise serializers.ValidationError(
            {
                field: [
                    serializers.ErrorDetail(
                        str(
                            _("%(currency)s amounts have at most %(digits)s decimals.")
                            % {"currency": currency, "digits": digits}
                        ),
                        code="too_many_decimals",
                    )
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
