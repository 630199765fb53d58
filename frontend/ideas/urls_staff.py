"""Staff queues of ideas: review and moderation."""

from django.urls import path

from frontend.ideas import staff

urlpatterns = [
    path("o/<slug:org_slug>/review/", staff.review_queue, name="staff_review_queue"),
    path("ideas/<int:pk>/review/", staff.idea_review, name="staff_idea_review"),
    path("o/<slug:org_slug>/moderation/", staff.moderation, name="staff_moderation"),
]
