from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        # What workshops add to the kernel (live topic, personal data, notification events,
        # idea origins), once models load.
        from workshops import registration

        registration.register()
