"""Where Django's admin finds the engagement app's back-office (it imports ``<app>.admin``)."""

from engagement.ideas import admin as ideas  # noqa: F401
from engagement.people import admin as people  # noqa: F401
