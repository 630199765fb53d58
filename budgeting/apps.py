from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Budgeting")

    def ready(self) -> None:
        # What budgeting adds to the kernel (live topics, personal data), once models load.
        from budgeting import registration

        registration.register()
