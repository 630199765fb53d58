"""The OpenAPI schema of the API, completed with the errors each operation can answer.

Kept apart from ``engagement.http.api``: drf-spectacular imports DRF's views, which read the parser,
pagination and metadata classes of ``engagement.http.api`` from the settings.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework import serializers

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Messages per field (a list of strings, or nested like the input), "
    "`non_field_errors` for the body as a whole, `detail` when the body could not be "
    'read; endpoints with codes add `error_codes`: {"<field>": ["<code>", ...]}.',
    "properties": {
        "detail": {"type": "string"},
        "error_codes": {"type": "object", "additionalProperties": True},
    },
    "additionalProperties": True,
}
_STANDARD_ERRORS = {
    "400": "Invalid input: field errors (see FieldErrors).",
    "403": "Not signed in, the role needed is missing, or the CSRF token is missing.",
    "404": "No such item, or one the visitor may not see.",
    "429": "Too many requests (rate limit).",
}
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_RULES_KEY = "x-kopa-rules"
# Free text in a request: no NUL character (engagement.http.api.JSONParser refuses it), and unless
# blank is allowed, something besides white space (DRF trims it, then refuses "").
_TEXT = r"^[^\x00]*$"
_NON_BLANK_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _text_rules(field: Any, schema: dict[str, Any]) -> None:
    """What DRF checks of a free-text field that spectacular leaves out of its schema; and
    files, which a request sends as binary parts (spectacular documents their URL)."""
    if isinstance(field, serializers.FileField):
        schema.update({"type": "string", "format": "binary"})
        if not field.allow_empty_file:
            schema["minLength"] = 1
        return
    if not isinstance(field, serializers.CharField) or schema.get("type") != "string":
        return
    if {"pattern", "format", "enum"} & schema.keys():  # slugs, e-mails, ids: already exact
        return
    if field.allow_blank:
        schema["pattern"] = _TEXT
    else:
        schema["pattern"] = _NON_BLANK_TEXT
        schema["minLength"] = max(schema.get("minLength", 1), 1)


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, completed with the errors each operation can answer.

    Every operation lists, beside what its view declares: 400 when it reads a body or query
    parameters, 403 when it needs an account or is a write (CSRF), 404 when its path names
    something, 429 when it is rate-limited. Error answers without a declared body get the
    ``Error`` (``{"detail"}``) or, for 400, the ``FieldErrors`` schema. ``DELETE`` operations
    that declare a request body document it (spectacular leaves bodies to POST/PUT/PATCH).
    Optional query parameters may be sent empty: ``?phase=`` means no filter. Request bodies
    also say what DRF checks of free text (no NUL character, not blank unless allowed), and
    what an input serializer states in ``schema_rules`` of its fields together (``oneOf`` /
    ``anyOf``: which fields go with which).
    """

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE" or self.get_request_serializer() is None:
            body = super()._get_request_body(direction)
        else:
            self.method = "POST"  # spectacular only builds bodies for POST, PUT and PATCH
            try:
                body = super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        rules = (getattr(self._request_serializer(), "schema_rules", None) or {}) if body else {}
        if {"oneOf", "anyOf"} & rules.keys():
            body["required"] = True  # each alternative requires fields, so a body is needed
        return body

    def _request_serializer(self) -> Any:
        serializer = self.get_request_serializer()
        if isinstance(serializer, dict):  # per media type
            serializer = next(iter(serializer.values()), None)
        return getattr(serializer, "request", serializer)

    def _map_basic_serializer(self, serializer: Any, direction: str) -> Any:
        """Request bodies: free-text rules, and ``exactly_one_of`` of the serializer."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        serializer = force_instance(serializer)
        for field in serializer.fields.values():
            field_schema = schema["properties"].get(field.field_name)
            if not isinstance(field_schema, dict):
                continue
            _text_rules(field, field_schema)
            if isinstance(field, serializers.ListField) and isinstance(
                field_schema.get("items"), dict
            ):
                _text_rules(field.child, field_schema["items"])
        extra = getattr(serializer, "schema_rules", None)
        if extra:
            # Merged by merge_schema_rules, after spectacular has named the enums.
            schema[_RULES_KEY] = extra
        return schema

    def _component(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=f"kopa.{name}", schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                # DRF and django-filter read `?name=` as "not given".
                parameter["allowEmptyValue"] = True
        standard = {
            "400": "requestBody" in operation or any(p["in"] == "query" for p in parameters),
            "403": self.method in _UNSAFE_METHODS or {} not in operation.get("security", [{}]),
            "404": any(p["in"] == "path" for p in parameters),
            "429": bool(self.view.get_throttles()),
        }
        responses = operation["responses"]
        for code, applies in standard.items():
            if applies and code not in responses:
                responses[code] = {"description": _STANDARD_ERRORS[code]}
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                ref = (
                    self._component("FieldErrors", _FIELD_ERRORS_SCHEMA)
                    if code == "400"
                    else self._component("Error", _ERROR_SCHEMA)
                )
                response["content"] = {"application/json": {"schema": ref}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation


def merge_schema_rules(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook (after spectacular's enum naming, which would rename the enums of
    the rules): the ``schema_rules`` of input serializers into their component schemas
    (``properties`` field by field, the rest as given)."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        rules = dict(schema.pop(_RULES_KEY, None) or {})
        for name, extra in rules.pop("properties", {}).items():
            schema["properties"][name].update(extra)
        schema.update(rules)
    return result
