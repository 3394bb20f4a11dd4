FROM python:3.11-slim

# WEB_CONCURRENCY is gunicorn's worker count (docker run -e WEB_CONCURRENCY=5 to change).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WEB_CONCURRENCY=3
WORKDIR /app

# The dependencies and GOV.UK Frontend first, so a code change reuses these layers.
# .dockerignore keeps the builder's own static/vendor (and .venv, .env, databases)
# out of the context, so the COPY below cannot replace this install with another.
COPY pyproject.toml ./
COPY scripts ./scripts
RUN pip install --no-cache-dir . && python scripts/install_govuk_frontend.py

COPY . .
# collectstatic only reads the settings; it connects to no database, broker or mail
# server. The production settings refuse to load without them, so this one step
# gets placeholders. A RUN NAME=value applies to that command only: none of these
# reach the image, and a container started without the real values refuses to
# start, naming what is missing (tests/test_deploy.py checks this list, and runs
# this step with the manifest storage).
RUN SECRET_KEY=collectstatic-only \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_HOST=build.invalid \
    DEFAULT_FROM_EMAIL=build@build.invalid \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput

# The application cannot change its own code or static files.
RUN useradd --create-home reunification
USER reunification
EXPOSE 8000
# Timeouts, set deliberately (docker-compose.yml's web says the same): every page
# answers in well under a second and the longest request, a year's SSDA903 extract
# for the whole council, in a few seconds, so a worker silent for 60 s is stuck
# and is replaced; on a stop, requests in hand get 30 s to finish.
CMD ["gunicorn", "reunification.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", "--graceful-timeout", "30", "--access-logfile", "-"]
