"""Workshop pages (board): the live board, its actions, the projector and the join code."""

from django.urls import path

from frontend.workshops.board import views

urlpatterns = [
    path("workshops/<int:pk>/board/", views.board_page, name="workshop_board"),
    path("workshops/<int:pk>/board/state/", views.board_state_json, name="workshop_board_state"),
    path(
        "workshops/<int:pk>/board/do/<slug:action>/",
        views.board_action,
        name="workshop_board_action",
    ),
    path("workshops/<int:pk>/board/projector/", views.projector_page, name="workshop_projector"),
    path("join/", views.join_page, name="workshop_join"),
    path("join/<str:code>/", views.join_code_page, name="workshop_join_code"),
]
