"""Survey pages: answer."""

urlpatterns: list = []
