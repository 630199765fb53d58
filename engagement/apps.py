from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        # The app holds the kernel and the ideas feature; the feature registers with the
        # kernel (and with budgeting's port) once models are loaded.
        from engagement.ideas import registration

        registration.register()
