"""An organisation's page, its processes and citizen ideas."""

from django.http import Http404, HttpRequest, HttpResponse


def organisation(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # replaced by the ideas pages
