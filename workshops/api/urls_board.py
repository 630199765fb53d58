"""Workshop API URLs (board)."""

from django.urls import path

from workshops.api import board

_BASE = "workshops/<int:workshop_id>/board/"

urlpatterns = [
    path(_BASE, board.Board.as_view(), name="workshop-board"),
    path(_BASE + "join/", board.Join.as_view(), name="workshop-board-join"),
    path(_BASE + "notes/", board.Notes.as_view(), name="workshop-board-notes"),
    path(
        _BASE + "notes/<int:note_id>/hide/",
        board.HideNote.as_view(),
        name="workshop-board-note-hide",
    ),
    path(
        _BASE + "notes/<int:note_id>/show/",
        board.ShowNote.as_view(),
        name="workshop-board-note-show",
    ),
    path(
        _BASE + "notes/<int:note_id>/move/",
        board.MoveNote.as_view(),
        name="workshop-board-note-move",
    ),
    path(
        _BASE + "notes/<int:note_id>/idea/",
        board.NoteIdea.as_view(),
        name="workshop-board-note-idea",
    ),
    path(_BASE + "clusters/", board.Clusters.as_view(), name="workshop-board-clusters"),
    path(
        _BASE + "clusters/<int:cluster_id>/",
        board.ClusterDetail.as_view(),
        name="workshop-board-cluster",
    ),
    path(
        _BASE + "clusters/<int:cluster_id>/merge/",
        board.MergeCluster.as_view(),
        name="workshop-board-cluster-merge",
    ),
    path(
        _BASE + "clusters/<int:cluster_id>/idea/",
        board.ClusterIdea.as_view(),
        name="workshop-board-cluster-idea",
    ),
    path(_BASE + "dots/", board.Dots.as_view(), name="workshop-board-dots"),
    path(_BASE + "open/", board.OpenBoard.as_view(), name="workshop-board-open"),
    path(_BASE + "stage/", board.Stage.as_view(), name="workshop-board-stage"),
    path(_BASE + "timer/", board.Timer.as_view(), name="workshop-board-timer"),
    path(_BASE + "prompts/", board.Prompts.as_view(), name="workshop-board-prompts"),
    path(_BASE + "export.csv", board.ExportCsv.as_view(), name="workshop-board-export-csv"),
    path(_BASE + "export.json", board.ExportJson.as_view(), name="workshop-board-export-json"),
]
