from django.urls import path

from engagement.ideas import api

urlpatterns = [
    path("processes/", api.ProcessCollection.as_view(), name="process-list"),
    path("processes/<slug:slug>/", api.ProcessDetail.as_view(), name="process-detail"),
    path("processes/<slug:slug>/phase/", api.ProcessPhase.as_view(), name="process-phase"),
    path("processes/<slug:slug>/ideas/", api.ProcessIdeas.as_view(), name="process-ideas"),
    path(
        "processes/<slug:slug>/ideas/similar/",
        api.ProcessSimilarIdeas.as_view(),
        name="process-ideas-similar",
    ),
    path(
        "processes/<slug:slug>/ideas.csv",
        api.ProcessIdeasExport.as_view(),
        name="process-ideas-export",
    ),
    path("ideas/<int:idea_id>/", api.IdeaDetail.as_view(), name="idea-detail"),
    path("ideas/<int:idea_id>/submit/", api.IdeaSubmit.as_view(), name="idea-submit"),
    path("ideas/<int:idea_id>/withdraw/", api.IdeaWithdraw.as_view(), name="idea-withdraw"),
    path("ideas/<int:idea_id>/images/", api.IdeaImages.as_view(), name="idea-images"),
    path(
        "ideas/<int:idea_id>/images/<int:image_id>/",
        api.IdeaImageDetail.as_view(),
        name="idea-image-detail",
    ),
    path("ideas/<int:idea_id>/comments/", api.IdeaComments.as_view(), name="idea-comments"),
    path("ideas/<int:idea_id>/support/", api.IdeaSupport.as_view(), name="idea-support"),
    path("ideas/<int:idea_id>/follow/", api.IdeaFollow.as_view(), name="idea-follow"),
    path("ideas/<int:idea_id>/review/", api.IdeaReview.as_view(), name="idea-review"),
    path("ideas/<int:idea_id>/merge/", api.IdeaMerge.as_view(), name="idea-merge"),
    path("comments/<int:comment_id>/", api.CommentDetail.as_view(), name="comment-detail"),
    path("reports/", api.Reports.as_view(), name="reports"),
    path("moderation/queue/", api.ModerationQueue.as_view(), name="moderation-queue"),
    path("moderation/log/", api.ModerationLogList.as_view(), name="moderation-log"),
    path("moderation/hide/", api.ModerationHide.as_view(), name="moderation-hide"),
    path("moderation/restore/", api.ModerationRestore.as_view(), name="moderation-restore"),
    path("moderation/dismiss/", api.ModerationDismiss.as_view(), name="moderation-dismiss"),
]
