"""The Celery application. Tasks take ids, call one service and are safe to run twice."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kopa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
