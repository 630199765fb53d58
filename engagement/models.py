"""Where Django finds the engagement app's models (it imports ``<app>.models``).

The app holds the kernel's models (people and organisations, notifications) and the ideas
feature's (processes, ideas, moderation). Code imports a model from the package it belongs
to; only Django's app loading imports this module.
"""

from engagement.ideas import models as ideas  # noqa: F401
from engagement.notifications import models as notifications  # noqa: F401
from engagement.people import models as people  # noqa: F401
