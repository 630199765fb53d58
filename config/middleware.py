"""Requests beyond Django's limits are a 400 on every page, routed or not.

Django refuses too many fields (``DATA_UPLOAD_MAX_NUMBER_FIELDS``), too many files
(``DATA_UPLOAD_MAX_NUMBER_FILES``) and too large a form (``DATA_UPLOAD_MAX_MEMORY_SIZE``)
when something first reads ``request.GET`` / ``request.POST``. On pages that can be the CSRF
check inside an error handler (the 404 page of an unknown path), where the refusal turned
into a 500. So pages read the query string and the form here, first, and answer a refusal
at once. API paths are left to DRF, whose parsers and ``engagement.http.api`` answer the same limits
with a JSON 400 (its 404 handler too, for paths no endpoint serves).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from engagement.http.api import error_view, is_api_request, request_limit_refusal


class RequestLimits:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.bad_request = error_view(400)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request):
            refusal = request_limit_refusal(request)
            if refusal is not None:
                return self.bad_request(request, refusal)
        return self.get_response(request)
