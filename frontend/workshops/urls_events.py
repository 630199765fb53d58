"""Workshop pages (events)."""

urlpatterns: list = []
