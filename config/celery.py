"""The Celery application. Tasks take ids, call one service and are safe to run twice."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kopa")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each package that defines tasks, in a ``tasks`` module.
app.autodiscover_tasks(["engagement.notifications", "budgeting", "surveys", "workshops"])
