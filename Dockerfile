FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml ./
COPY scripts ./scripts
RUN pip install --no-cache-dir . && python scripts/install_govuk_frontend.py

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home reunification
USER reunification
EXPOSE 8000
CMD ["gunicorn", "reunification.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
