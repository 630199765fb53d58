"""Staff queues of ideas: review and moderation."""

from django.urls import path

from frontend.ideas.views import moderation, review

urlpatterns = [
    path("o/<slug:org_slug>/review/", review.review_queue, name="staff_review_queue"),
    path("ideas/<int:pk>/review/", review.idea_review, name="staff_idea_review"),
    path("o/<slug:org_slug>/moderation/", moderation.moderation, name="staff_moderation"),
]
