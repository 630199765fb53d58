"""Staff work queues: review, moderation, paper ballots, implementation updates."""

from django.urls import path

from frontend.views import staff_queues as views

urlpatterns = [
    path("o/<slug:org_slug>/review/", views.review_queue, name="staff_review_queue"),
    path("ideas/<int:pk>/review/", views.idea_review, name="staff_idea_review"),
    path("o/<slug:org_slug>/moderation/", views.moderation, name="staff_moderation"),
    path("rounds/<slug:slug>/paper/", views.paper_entry, name="staff_paper"),
    path(
        "rounds/<slug:slug>/implementation/",
        views.implementation_list,
        name="staff_implementation",
    ),
    path(
        "projects/<int:pk>/implementation/",
        views.project_implementation,
        name="staff_project_implementation",
    ),
]
