from django.urls import path

from budgeting.api import views

urlpatterns = [
    path("rounds/", views.RoundCollection.as_view(), name="round-list"),
    path("rounds/<slug:slug>/", views.RoundDetail.as_view(), name="round-detail"),
    path("rounds/<slug:slug>/phase/", views.RoundPhase.as_view(), name="round-phase"),
    path("rounds/<slug:slug>/schedule/", views.RoundSchedule.as_view(), name="round-schedule"),
    path("rounds/<slug:slug>/projects/", views.ProjectCollection.as_view(), name="round-projects"),
    path(
        "rounds/<slug:slug>/projects/<str:project_id>/",
        views.ProjectDetail.as_view(),
        name="round-project-detail",
    ),
    path(
        "rounds/<slug:slug>/projects/<str:project_id>/review/",
        views.ProjectReview.as_view(),
        name="round-project-review",
    ),
    path("rounds/<slug:slug>/ballot/", views.MyBallot.as_view(), name="round-ballot"),
    path(
        "rounds/<slug:slug>/ballot/withdraw/",
        views.BallotWithdrawal.as_view(),
        name="round-ballot-withdraw",
    ),
    path("rounds/<slug:slug>/receipt/", views.ReceiptCheck.as_view(), name="round-receipt"),
    path("rounds/<slug:slug>/turnout/", views.Turnout.as_view(), name="round-turnout"),
    path("rounds/<slug:slug>/results/", views.PublishedResults.as_view(), name="round-results"),
    path(
        "rounds/<slug:slug>/results.<str:fmt>",
        views.ResultsExport.as_view(),
        name="round-results-export",
    ),
    path(
        "rounds/<slug:slug>/ballots.pb", views.BallotsExport.as_view(), name="round-ballots-export"
    ),
    path("rounds/<slug:slug>/tally/", views.Tally.as_view(), name="round-tally"),
    path("rounds/<slug:slug>/publish/", views.Publish.as_view(), name="round-publish"),
    path(
        "rounds/<slug:slug>/paper-ballots/",
        views.PaperBallots.as_view(),
        name="round-paper-ballots",
    ),
    path(
        "rounds/<slug:slug>/paper-ballots/progress/",
        views.PaperProgress.as_view(),
        name="round-paper-progress",
    ),
]
