"""Survey API URLs: building."""

urlpatterns: list = []
