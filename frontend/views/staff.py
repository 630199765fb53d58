"""Staff pages: round set-up, tally preview, publishing, statistics."""

from django.http import Http404, HttpRequest, HttpResponse


def staff_home(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404  # replaced by the staff pages
