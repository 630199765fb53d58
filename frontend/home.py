"""The front page, an organisation's page and its brand stylesheet."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from engagement.http.cache_policy import public_cache
from engagement.people import selectors
from engagement.people.models import Organisation
from frontend.ideas.views.processes import open_counts


def home(request: HttpRequest) -> HttpResponse:
    organisations = list(selectors.organisation_list())
    counts = open_counts(request.user)
    for organisation in organisations:
        organisation.open_count = counts.get(organisation.pk, 0)
    return render(
        request,
        "frontend/home.html",
        {
            "organisations": organisations,
            "staff_roles": selectors.staff_roles_of(request.user),
        },
    )


@require_GET
@public_cache(max_age=3600)
def brand_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's colour as a stylesheet: our CSP allows no inline styles."""
    organisation = get_object_or_404(Organisation, slug=slug)
    css = f":root {{ --brand: {organisation.brand_colour}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")
