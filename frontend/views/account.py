"""Account pages: profile, notifications, personal data, deletion."""

from django.http import Http404, HttpRequest, HttpResponse


def account(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # replaced by the account pages


def notifications(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # replaced by the account pages
