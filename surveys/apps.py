from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # What surveys add to the kernel (live topics, personal data, counts), once models load.
        from surveys import registration

        registration.register()
