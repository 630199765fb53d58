"""Workshop pages (board)."""

urlpatterns: list = []
