"""Workshop API URLs (board)."""

urlpatterns: list = []
