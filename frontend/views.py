"""Server-rendered pages. Thin: gather with selectors, render."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from engagement import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/home.html",
        {
            "organisations": selectors.organisation_list(),
            "staff_roles": selectors.staff_roles_of(request.user),
        },
    )
