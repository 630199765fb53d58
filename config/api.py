"""What every API view shares: errors as field-level 400s, the v1 URL namespace.

Views that set ``error_codes_in_body = True`` also get the stable code of every message of a
400 answer, field by field: ``{"projects": ["Your choices cost …"], "error_codes":
{"projects": ["over_budget"]}}``. Other views keep DRF's plain shape.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler

DEFAULT_CODE = "invalid"


def _django_validation_detail(error: DjangoValidationError) -> Any:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def _django_validation_codes(error: DjangoValidationError) -> dict[str, list[str]]:
    """The code of each message, aligned with ``_django_validation_detail``."""
    if hasattr(error, "error_dict"):
        return {
            field: [e.code or DEFAULT_CODE for e in errors for _m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [e.code or DEFAULT_CODE for e in error.error_list]}


def _with_codes(data: Any, codes: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        key = api_settings.NON_FIELD_ERRORS_KEY
        data, codes = {key: data}, {key: codes}
    return {**data, "error_codes": codes}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Services raise Django's exceptions; the API answers them like DRF's own."""
    codes = None
    if isinstance(exc, DjangoValidationError):
        codes = _django_validation_codes(exc)
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and getattr(context.get("view"), "error_codes_in_body", False)
    ):
        response.data = _with_codes(response.data, codes if codes is not None else exc.get_codes())
    return response


class WritesThrottled:
    """Throttle the writes of a view by its ``throttle_scope``; reads are not limited."""

    throttle_classes = [ScopedRateThrottle]

    def get_throttles(self) -> list[Any]:
        if self.request.method in SAFE_METHODS:  # type: ignore[attr-defined]
            return []
        return super().get_throttles()  # type: ignore[misc]
