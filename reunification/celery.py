"""The Celery application.

With REDIS_URL set, tasks go to Redis and a separate worker runs them. Without it
(the `make run` demo and the default test run) they run in-process, eagerly, so
nobody needs a broker to try the application.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reunification.settings")

app = Celery("reunification")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
