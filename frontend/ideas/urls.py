"""An organisation's page, its processes and citizen ideas."""

from django.urls import path

from frontend.ideas.views import discussion, ideas, processes, reports, supports

urlpatterns = [
    path("o/<slug:org_slug>/", processes.organisation, name="organisation"),
    path("processes/<slug:slug>/", processes.process, name="process"),
    path("processes/<slug:slug>/ideas/", ideas.idea_list, name="idea_list"),
    path("processes/<slug:slug>/ideas/new/", ideas.idea_create, name="idea_create"),
    path("processes/<slug:slug>/ideas/similar/", ideas.idea_similar, name="idea_similar"),
    path("ideas/<int:pk>/", ideas.idea_detail, name="idea_detail"),
    path("ideas/<int:pk>/edit/", ideas.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/withdraw/", ideas.idea_withdraw, name="idea_withdraw"),
    path(
        "ideas/<int:pk>/images/<int:image_id>/remove/",
        ideas.idea_image_remove,
        name="idea_image_remove",
    ),
    path("ideas/<int:pk>/support/", supports.idea_support, name="idea_support"),
    path("ideas/<int:pk>/follow/", supports.idea_follow, name="idea_follow"),
    path("ideas/<int:pk>/report/", reports.idea_report, name="idea_report"),
    path("ideas/<int:pk>/comments/", discussion.comment_create, name="idea_comment"),
    path("comments/<int:pk>/edit/", discussion.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", discussion.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/report/", reports.comment_report, name="comment_report"),
]
