"""Survey API URLs: results."""

urlpatterns: list = []
