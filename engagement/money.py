"""Amounts are integers in the currency's minor unit; these convert at the edges."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# ISO 4217 code -> digits of the minor unit. Amounts are stored as integers in minor units.
CURRENCIES: dict[str, int] = {
    "EUR": 2,
    "PLN": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "ISK": 0,
    "CHF": 2,
    "CZK": 2,
    "GBP": 2,
    "HUF": 2,
    "UAH": 2,
    "USD": 2,
}

# An amount typed in currency units. At most 15 digits before the point keeps every amount
# inside a 64-bit integer of minor units.
AMOUNT_PATTERN = re.compile(r"^\d{1,15}(\.\d{1,12})?$")
AMOUNT_INVALID = _("Enter an amount such as 12500.00 (digits, optionally a decimal point).")


def too_many_decimals(currency: str) -> str:
    """Why an amount finer than the currency's minor unit is refused."""
    return str(
        _("%(currency)s amounts have at most %(digits)s decimals.")
        % {"currency": currency, "digits": CURRENCIES.get(currency, 2)}
    )


def minor_per_unit(currency: str) -> int:
    return 10 ** CURRENCIES.get(currency, 2)


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Exact conversion; refuses amounts finer than the currency's minor unit."""
    try:
        value = Decimal(str(amount)) * minor_per_unit(currency)
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount") from None
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency} allows")
    return int(value)


def from_minor(minor: int, currency: str) -> Decimal:
    digits = CURRENCIES.get(currency, 2)
    return (Decimal(minor) / minor_per_unit(currency)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN
    )


def format_money(minor: int, currency: str) -> str:
    """For messages: '12 500,00 EUR' in the active locale."""
    digits = CURRENCIES.get(currency, 2)
    text = number_format(
        from_minor(minor, currency), decimal_pos=digits, use_l10n=True, force_grouping=True
    )
    return f"{text} {currency}"
