"""Survey API URLs: responses."""

urlpatterns: list = []
