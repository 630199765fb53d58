"""What every API view shares: how requests are read and errors answered, and the schema.

- Errors are field-level 400s. Views that set ``error_codes_in_body = True`` also get the
  stable code of every message of a 400 answer, field by field: ``{"projects": ["Your
  choices cost …"], "error_codes": {"projects": ["over_budget"]}}``. Other views keep DRF's
  plain shape.
- Request bodies are JSON (:class:`JSONParser`: bounded in size and nesting), read by
  :class:`Input` serializers (JSON values of the type the schema states); endpoints that
  take files add multipart (:data:`UPLOAD_PARSERS`).
- Lists are paginated by :class:`Pagination` (``limit`` at most :data:`MAX_PAGE_SIZE`).
- Who may act is decided before the body is read: views call the services' role checks
  (``require_*``) first, so a caller without the role gets 403 whatever they send.
- Writes are rate-limited per person and scope (``throttle_scope``) by
  :class:`ScopeThrottle`, which asks ``engagement.http.rate_limits.rate_limited`` — the rule
  the pages ask too, so a page and the API count against the same budget.
- ``OPTIONS`` answers what an endpoint renders and parses (:class:`Metadata`); the inputs are
  described by the schema, which ``engagement.http.api_schema.ApiSchema`` completes with every error
  an operation can answer.
- Paths under ``/api/`` that match no endpoint, and refusals before any view ran, answer
  JSON too (:func:`error_view`, used as the project's error handlers).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, parsers, permissions, serializers
from rest_framework.metadata import BaseMetadata
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.utils.json import strict_constant

from engagement.http.rate_limits import RateLimited, rate_limited

logger = logging.getLogger("django.security")

DEFAULT_CODE = "invalid"

# Lists: the page size when none is asked for, and the largest one answered.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Past any real list, and inside every database's integer.
MAX_OFFSET = 2_147_483_647
# Deeper JSON is refused before it is decoded (the deepest Kopa body has 3 levels).
MAX_JSON_DEPTH = 32


# --- errors ------------------------------------------------------------------------------


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


REQUEST_TOO_LARGE = _(
    "The request is too large: too many fields or files, or too much data. "
    "Send less in one request."
)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Services raise Django's exceptions; the API answers them like DRF's own."""
    # Imported here: DRF's views read this module's classes from the settings.
    from rest_framework.views import exception_handler

    codes = None
    if isinstance(exc, DjangoValidationError):
        codes = _django_validation_codes(exc)
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, SuspiciousOperation):
        # Too many fields or files, or too large a body (Django's request limits).
        exc = exceptions.ParseError(str(REQUEST_TOO_LARGE))
    response = exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and getattr(context.get("view"), "error_codes_in_body", False)
    ):
        response.data = _with_codes(response.data, codes if codes is not None else exc.get_codes())
    return response


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# Django's limits on what it parses: too many fields or files, too large a form.
REQUEST_LIMITS = (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)


def request_limit_refusal(request: HttpRequest) -> Exception | None:
    """Read the query string and a POSTed form, which applies Django's limits; the refusal,
    if any. A refused form then reads as empty, so nothing parses it again."""
    try:
        request.GET  # noqa: B018 - reading it applies the limits
        if request.method == "POST":
            request.POST  # noqa: B018
    except REQUEST_LIMITS as exc:
        logger.warning("Refused %s %s: %s", request.method, request.path, exc)
        request._mark_post_parse_error()  # type: ignore[attr-defined]
        return exc
    return None


_ERROR_DETAILS = {
    400: exceptions.ParseError.default_detail,
    403: exceptions.PermissionDenied.default_detail,
    404: exceptions.NotFound.default_detail,
    500: _("Something went wrong on our side"),
}
_PAGE_HANDLERS: dict[int, Callable[..., HttpResponse]] = {
    400: defaults.bad_request,
    403: defaults.permission_denied,
    404: defaults.page_not_found,
}


def error_view(status: int) -> Callable[..., HttpResponse]:
    """The project's handler for ``status``: JSON ``{"detail"}`` under ``/api/``, the Kopa
    error page elsewhere (``config.urls`` installs one per status)."""

    def handler(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if is_api_request(request):
            detail = _ERROR_DETAILS[status]
            if status == 404 and request_limit_refusal(request) is not None:
                # No endpoint read the request; the limits hold here too.
                return JsonResponse({"detail": str(REQUEST_TOO_LARGE)}, status=400)
            if status == 400 and isinstance(exception, SuspiciousOperation):
                detail = REQUEST_TOO_LARGE
            return JsonResponse({"detail": str(detail)}, status=status)
        if status == 500:
            return defaults.server_error(request)
        return _PAGE_HANDLERS[status](request, exception)

    handler.__name__ = f"error_{status}"
    return handler


# --- reading requests --------------------------------------------------------------------

_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``limit`` (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:  # cannot be deeper: the usual, cheap case
        return False
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with limits: the body at most ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    bytes, nesting at most :data:`MAX_JSON_DEPTH` levels. Each is a 400 with a ``detail``
    saying which. (NUL characters, which no database stores, are refused by the fields
    that read text: DRF's ``CharField``, and ``TranslationsField``.)"""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise exceptions.ParseError(str(REQUEST_TOO_LARGE))
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(
                str(_("The request body is not valid %(encoding)s text.") % {"encoding": encoding})
            ) from None
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise exceptions.ParseError(
                str(
                    _("JSON nested deeper than %(limit)s levels is not accepted.")
                    % {"limit": MAX_JSON_DEPTH}
                )
            )
        try:
            return json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


# JSON everywhere (settings.REST_FRAMEWORK); endpoints that take files also read multipart.
UPLOAD_PARSERS = [JSONParser, parsers.MultiPartParser]
# How image fields travel in multipart bodies: as file parts (for the schema's `encoding`).
IMAGE_PARTS = {"contentType": "image/jpeg, image/png, image/webp"}


def _wrong_json_type(field: serializers.Field, value: Any) -> str | None:
    """DRF's message when ``value`` is not of the JSON type ``field`` reads, else None.

    DRF coerces (``0`` becomes ``"0"``, ``"true"`` becomes ``True``, ``"12"`` becomes 12);
    the schema states one type per field, so a JSON body must use it.
    """
    if value is None:  # allow_null decides
        return None
    if isinstance(field, serializers.BooleanField):
        wrong = not isinstance(value, bool)
    elif isinstance(field, serializers.IntegerField):
        wrong = isinstance(value, bool) or not isinstance(value, int)
    elif isinstance(field, serializers.FloatField):
        wrong = isinstance(value, bool) or not isinstance(value, int | float)
    elif isinstance(field, serializers.CharField):
        wrong = not isinstance(value, str)
    else:
        return None
    return str(field.error_messages["invalid"]) if wrong else None


class Input(serializers.Serializer):
    """Base of the API's input serializers: in a JSON body every value has the type the
    schema states — text is a string, a number a number, a flag ``true`` or ``false`` (also
    in lists of them). Query strings and forms, where everything is text, keep DRF's reading.

    ``schema_rules`` (JSON Schema, e.g. ``oneOf``) state in the schema which fields go
    together, where the serializer checks it (``engagement.http.api_schema``).
    """

    schema_rules: dict[str, Any] | None = None

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors: dict[str, Any] = {}
            for field in self._writable_fields:
                if field.field_name not in data:
                    continue
                value = data[field.field_name]
                message = _wrong_json_type(field, value)
                if message is None and isinstance(field, serializers.ListField):
                    if isinstance(value, list):
                        items = {
                            index: [text]
                            for index, item in enumerate(value)
                            if (text := _wrong_json_type(field.child, item)) is not None
                        }
                        if items:
                            errors[field.field_name] = items
                    continue
                if message is not None:
                    errors[field.field_name] = [serializers.ErrorDetail(message, code="invalid")]
            if errors:
                # Every field's problem at once: the type errors, and DRF's for the others.
                try:
                    super().to_internal_value(data)
                except serializers.ValidationError as exc:
                    if isinstance(exc.detail, dict):
                        errors = {**exc.detail, **errors}
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def exactly_one_of(*names: str) -> dict[str, Any]:
    """``schema_rules`` of an input whose integer fields ``names`` are alternatives: one of
    them is given, the others are absent or null (not an integer)."""
    return {
        "oneOf": [
            {
                "required": [name],
                "properties": {
                    name: {"type": "integer"},
                    **{other: {"not": {"type": "integer"}} for other in names if other != name},
                },
            }
            for name in names
        ]
    }


class WholeNumberField(serializers.IntegerField):
    """An integer written as digits (optionally a minus sign), nothing else: ``1.0``,
    `` 1`` and ``1e3`` are refused; numbers of any length are compared with the bounds."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        text = str(data)
        if not re.fullmatch(r"-?[0-9]+", text):
            self.fail("invalid")
        if len(text.lstrip("-")) > 30:  # far outside every bound; no need to convert it
            if text.startswith("-") and self.min_value is not None:
                self.fail("min_value", min_value=self.min_value)
            if not text.startswith("-") and self.max_value is not None:
                self.fail("max_value", max_value=self.max_value)
        return int(text)


class _PageQuery(serializers.Serializer):
    limit = WholeNumberField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)
    offset = WholeNumberField(min_value=0, max_value=MAX_OFFSET, required=False)


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` for every list: ``limit`` from 1 to :data:`MAX_PAGE_SIZE`
    (default :data:`DEFAULT_PAGE_SIZE`), ``offset`` from 0. Anything else — not a whole
    number, negative, a limit above the maximum — is a 400 naming the parameter."""

    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def _page(self, request: Any) -> dict[str, int]:
        if getattr(self, "_page_request", None) is request:  # read once per request
            return self._page_query
        query = _PageQuery(
            data={  # an empty value is no value, as for every optional query parameter
                name: request.query_params[name]
                for name in (self.limit_query_param, self.offset_query_param)
                if request.query_params.get(name, "") != ""
            }
        )
        query.is_valid(raise_exception=True)
        self._page_request, self._page_query = request, query.validated_data
        return self._page_query

    def get_limit(self, request: Any) -> int:
        return self._page(request).get(self.limit_query_param, self.default_limit)

    def get_offset(self, request: Any) -> int:
        return self._page(request).get(self.offset_query_param, 0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds[parameter["name"]])
        parameters[0]["description"] = (
            f"Number of results to return per page (1 to {MAX_PAGE_SIZE}, "
            f"default {DEFAULT_PAGE_SIZE})."
        )
        return parameters


class Metadata(BaseMetadata):
    """``OPTIONS``: the endpoint's name and the media types it renders and parses.

    What the inputs look like is the schema's business (``/api/schema/``): DRF's default
    metadata runs the views' serializers and permissions outside a request, which views
    that pick their serializer per request cannot support.
    """

    def determine_metadata(self, request: Any, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }


class IsAuthenticated(permissions.IsAuthenticated):
    """Signed in — except for ``OPTIONS``, which says no more than the public schema."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return request.method == "OPTIONS" or super().has_permission(request, view)


class ScopeThrottle(BaseThrottle):
    """Throttle a view by its ``throttle_scope`` (none: not limited), by :func:`rate_limited`."""

    refused: RateLimited | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if not scope:
            return True
        self.refused = rate_limited(request, scope)
        return self.refused is None

    def wait(self) -> float | None:
        return self.refused.wait if self.refused is not None else None


class WritesThrottled:
    """Throttle the writes of a view by its ``throttle_scope``; reads are not limited."""

    throttle_classes = [ScopeThrottle]

    def get_throttles(self) -> list[Any]:
        if self.request.method in SAFE_METHODS:  # type: ignore[attr-defined]
            return []
        return super().get_throttles()  # type: ignore[misc]
