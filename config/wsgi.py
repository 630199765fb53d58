"""WSGI entry point: HTTP in production runs here (granian --interface wsgi or gunicorn)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from config.static_files import static_files_problem  # noqa: E402  (needs Django set up)

# Said once per worker at start: /readyz keeps failing until it is fixed and restarted.
if (problem := static_files_problem()) is not None:
    logging.getLogger("kopa.static").error("Pages cannot render: %s", problem)
