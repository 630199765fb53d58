"""A round's public pages: overview, projects, results, implementation."""

urlpatterns: list = []
