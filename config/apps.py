from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """``config`` as an app only to register its system checks (config/checks.py)."""

    name = "config"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the checks)
