"""Survey pages: results."""

urlpatterns: list = []
