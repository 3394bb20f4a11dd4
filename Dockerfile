FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml ./
COPY scripts ./scripts
RUN pip install --no-cache-dir . && python scripts/install_govuk_frontend.py

COPY . .
# collectstatic only reads the settings; it connects to no database, broker or mail
# server. The production settings refuse to load without them, so this one step
# gets placeholders. A RUN NAME=value applies to that command only: none of these
# reach the image, and a container started without the real values refuses to
# start, naming what is missing (tests/test_deploy.py checks this list).
RUN SECRET_KEY=collectstatic-only \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_HOST=build.invalid \
    DEFAULT_FROM_EMAIL=build@build.invalid \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput

RUN useradd --create-home reunification
USER reunification
EXPOSE 8000
CMD ["gunicorn", "reunification.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
