"""Routes of the ideas API (included under ``/api/v1/`` by ``config.urls``)."""

from django.urls import path

from engagement.ideas.api import discussion, ideas, moderation, processes, review, supports

urlpatterns = [
    path("processes/", processes.ProcessCollection.as_view(), name="process-list"),
    path("processes/<slug:slug>/", processes.ProcessDetail.as_view(), name="process-detail"),
    path("processes/<slug:slug>/phase/", processes.ProcessPhase.as_view(), name="process-phase"),
    path("processes/<slug:slug>/ideas/", ideas.ProcessIdeas.as_view(), name="process-ideas"),
    path(
        "processes/<slug:slug>/ideas/similar/",
        ideas.ProcessSimilarIdeas.as_view(),
        name="process-ideas-similar",
    ),
    path(
        "processes/<slug:slug>/ideas.csv",
        ideas.ProcessIdeasExport.as_view(),
        name="process-ideas-export",
    ),
    path("ideas/<int:idea_id>/", ideas.IdeaDetail.as_view(), name="idea-detail"),
    path("ideas/<int:idea_id>/submit/", ideas.IdeaSubmit.as_view(), name="idea-submit"),
    path("ideas/<int:idea_id>/withdraw/", ideas.IdeaWithdraw.as_view(), name="idea-withdraw"),
    path("ideas/<int:idea_id>/images/", ideas.IdeaImages.as_view(), name="idea-images"),
    path(
        "ideas/<int:idea_id>/images/<int:image_id>/",
        ideas.IdeaImageDetail.as_view(),
        name="idea-image-detail",
    ),
    path("ideas/<int:idea_id>/comments/", discussion.IdeaComments.as_view(), name="idea-comments"),
    path("ideas/<int:idea_id>/support/", supports.IdeaSupport.as_view(), name="idea-support"),
    path("ideas/<int:idea_id>/follow/", supports.IdeaFollow.as_view(), name="idea-follow"),
    path("ideas/<int:idea_id>/review/", review.IdeaReview.as_view(), name="idea-review"),
    path("ideas/<int:idea_id>/merge/", review.IdeaMerge.as_view(), name="idea-merge"),
    path("comments/<int:comment_id>/", discussion.CommentDetail.as_view(), name="comment-detail"),
    path("reports/", moderation.Reports.as_view(), name="reports"),
    path("moderation/queue/", moderation.ModerationQueue.as_view(), name="moderation-queue"),
    path("moderation/log/", moderation.ModerationLogList.as_view(), name="moderation-log"),
    path("moderation/hide/", moderation.ModerationHide.as_view(), name="moderation-hide"),
    path("moderation/restore/", moderation.ModerationRestore.as_view(), name="moderation-restore"),
    path("moderation/dismiss/", moderation.ModerationDismiss.as_view(), name="moderation-dismiss"),
]
