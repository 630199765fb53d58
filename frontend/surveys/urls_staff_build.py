"""Survey pages: staff_build."""

urlpatterns: list = []
