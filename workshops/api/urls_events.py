"""Workshop API URLs (events)."""

urlpatterns: list = []
