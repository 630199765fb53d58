"""Voting: the ballot in each format, review and confirmation, receipt check."""

from django.urls import path

from frontend.budgeting.views import ballot

urlpatterns = [
    path("<slug:slug>/vote/", ballot.ballot, name="ballot"),
    path("<slug:slug>/vote/<slug:district_key>/", ballot.ballot_district, name="ballot_district"),
    path(
        "<slug:slug>/vote/<slug:district_key>/review/",
        ballot.ballot_review,
        name="ballot_review",
    ),
    path("<slug:slug>/vote/<slug:district_key>/done/", ballot.ballot_done, name="ballot_done"),
    path(
        "<slug:slug>/vote/<slug:district_key>/withdraw/",
        ballot.ballot_withdraw,
        name="ballot_withdraw",
    ),
    path("<slug:slug>/receipt/", ballot.receipt_check, name="receipt_check"),
]
