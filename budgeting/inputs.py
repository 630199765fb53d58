"""Checks of staff input that the API and the staff pages share.

The API's serializers check the shape of a JSON body and the page forms the shape of a POST.
What is left is checked here once, for both: amounts in the round's currency, district keys,
the budgets of a new round, settings that may not be empty, and the text limits the models do
not hold. Refusals are ``ValidationError`` keyed by the API's field names, with its messages
and codes; a serializer turns them into its own errors, a page puts them under its fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgeting.models import BudgetRound
from budgeting.services import voting
from budgeting.services.rounds import NULLABLE_SETTINGS, ROUND_SETTINGS
from engagement.money import AMOUNT_INVALID, AMOUNT_PATTERN, to_minor, too_many_decimals
from engagement.people.models import District, Organisation

# Free text the models keep unbounded (TextField) is still bounded at the door.
DESCRIPTION_MAX = 20_000
REASON_MAX = 2_000
SMALL = 32767  # PositiveSmallIntegerField
LARGE = 2147483647  # PositiveIntegerField
BIG = 9223372036854775807  # BigIntegerField
# Categories and target groups of a project.
WORDS_MAX = 50
WORD_MAX_LENGTH = 100


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def amount_minor(value: Decimal | str | int, currency: str, field: str) -> int:
    """An amount in currency units (``"12500.50"``) in the currency's minor units.

    A ``Decimal`` is taken as already read (the API's amount field reads the text).
    """
    if not isinstance(value, Decimal):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _refuse(field, str(AMOUNT_INVALID), "invalid")
        if not AMOUNT_PATTERN.fullmatch(str(value)):
            raise _refuse(field, str(AMOUNT_INVALID), "invalid")
        value = Decimal(str(value))
    try:
        return to_minor(value, currency)
    except ValueError:
        raise _refuse(field, too_many_decimals(currency), "too_many_decimals") from None


def description(value: str | None, field: str = "description") -> None:
    """Descriptions are bounded (the models' text fields are not)."""
    if value is not None and len(value) > DESCRIPTION_MAX:
        raise _refuse(
            field,
            _("Ensure this field has no more than {max_length} characters.").format(
                max_length=DESCRIPTION_MAX
            ),
            "max_length",
        )


def words(field: str, values: Iterable[str] | None) -> None:
    """A project's categories or target groups: a short list of short words."""
    values = list(values or [])
    if len(values) > WORDS_MAX:
        raise _refuse(
            field,
            _("Ensure this field has no more than {max_length} elements.").format(
                max_length=WORDS_MAX
            ),
            "max_length",
        )
    if any(len(value) > WORD_MAX_LENGTH for value in values):
        raise _refuse(
            field,
            _("Ensure this field has no more than {max_length} characters.").format(
                max_length=WORD_MAX_LENGTH
            ),
            "max_length",
        )


def round_settings(settings: Mapping[str, Any]) -> None:
    """Settings that only limits may leave empty; the wording's bounds."""
    for name in ROUND_SETTINGS:
        if name in settings and settings[name] is None and name not in NULLABLE_SETTINGS:
            raise _refuse(name, _("This field may not be null."), "null")
    description(settings.get("description"))


def round_budgets(
    organisation: Organisation,
    citywide: Decimal | str | int | None,
    entries: Iterable[Mapping[str, Any]],
) -> tuple[int | None, list[tuple[District, int]]]:
    """A new round's money: the city-wide amount and ``(district, amount)`` pairs.

    ``entries`` are ``{"district": slug or None, "budget": amount}``; a ``None`` district is
    the city-wide pot, which may be given once, like each district.
    """
    currency = organisation.currency
    # Every amount is read before anything is refused, so each bad one is named at once.
    refused: dict[str, list[ValidationError]] = {}

    def read(value: Decimal | str | int, field: str) -> int | None:
        try:
            return amount_minor(value, currency, field)
        except ValidationError as error:
            refused.setdefault(field, []).extend(error.error_dict[field])
            return None

    citywide_minor = None if citywide is None else read(citywide, "citywide_budget")
    entries = [(entry, read(entry["budget"], "district_budgets")) for entry in entries]
    if refused:
        raise ValidationError(refused)
    slugs = [e["district"] for e, _amount in entries if e["district"] is not None]
    districts = {
        d.slug: d for d in District.objects.filter(organisation=organisation, slug__in=slugs)
    }
    pairs = []
    for entry, amount in entries:
        assert amount is not None
        if entry["district"] is None:
            if citywide_minor is not None:
                raise _refuse(
                    "district_budgets",
                    _("Give the city-wide budget only once."),
                    "duplicate_citywide",
                )
            citywide_minor = amount
            continue
        district = districts.get(entry["district"])
        if district is None:
            raise _refuse(
                "district_budgets",
                _("%(organisation)s has no district %(district)s.")
                % {"organisation": organisation.name, "district": entry["district"]},
                "unknown_district",
            )
        pairs.append((district, amount))
    if len({d.pk for d, _a in pairs}) != len(pairs):
        raise _refuse(
            "district_budgets", _("Each district may have one budget only."), "duplicate_district"
        )
    return citywide_minor, pairs


def project_fields(budget_round: BudgetRound, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A project's fields as the services take them: the district key as the round's district
    budget, the cost in minor units, the project's id as ``external_id``."""
    fields = dict(fields)
    description(fields.get("description"))
    for name in ("categories", "targets"):
        if name in fields:
            words(name, fields[name])
    if "district" in fields:
        key = fields.pop("district")
        district_budget = voting.district_budgets(budget_round).get(key)
        if district_budget is None:
            raise _refuse(
                "district",
                _("This round has no district %(key)s.") % {"key": key},
                "unknown_district",
            )
        fields["district_budget"] = district_budget
    if "cost" in fields:
        fields["cost"] = amount_minor(fields["cost"], budget_round.currency, "cost")
    if "id" in fields:
        fields["external_id"] = fields.pop("id")
    return fields
