"""Workshop pages (staff)."""

urlpatterns: list = []
