"""The production set-up, checked without a Docker engine: the compose file's
services and wiring, and Django's deployment checks under production settings."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Every variable production (DEBUG off) refuses to start without. EMAIL_HOST may be
# replaced by an explicit EMAIL_BACKEND; tests/test_production_settings.py checks
# each one is named when it is missing.
REQUIRED_IN_PRODUCTION = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
]

# Everything the settings read that a developer's or CI's shell may hold; the
# production environments below start without any of it.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "SITE_URL",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
    "PLAIN_STATIC_STORAGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

# A complete production environment. Nothing here is contacted: loading the
# settings and the deployment checks connect to no database, broker or mail server.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789abcdef",
    "ALLOWED_HOSTS": "reunification.council.example",
    "DATABASE_URL": "postgres://reunification:secret@db.council.example:5432/reunification",
    "REDIS_URL": "redis://redis.council.example:6379/0",
    "EMAIL_HOST": "smtp.council.example",
    "DEFAULT_FROM_EMAIL": "reunification@council.example",
    "SITE_URL": "https://reunification.council.example",
}


def clean_env(**values) -> dict:
    """This process's environment without any setting in it, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(values)
    return env


def production_env(**extra):
    """A complete production environment; pass NAME=None to leave NAME out."""
    env = clean_env(**PRODUCTION)
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolate(value: str) -> str:
    """What docker compose makes of ${NAME:?message} (a placeholder, as if .env set
    it) and ${NAME:-default} (the default), for the names .env is meant to give."""

    def one(match):
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        return rest if operator == ":-" else f"from-dot-env-{name.lower()}"

    return re.sub(r"\$\{(\w+)(:\?|:-)([^}]*)\}", one, str(value))


def compose_environment(service: str) -> dict:
    return {
        name: interpolate(value)
        for name, value in compose()["services"][service]["environment"].items()
    }


def test_compose_has_every_production_service():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "mail"}


def test_web_serves_with_gunicorn_after_migrating():
    web = compose()["services"]["web"]
    assert "gunicorn reunification.wsgi:application" in web["command"]
    assert "migrate" in web["command"]
    assert "8000:8000" in web["ports"]


def test_worker_and_beat_run_celery_for_this_app():
    services = compose()["services"]
    assert services["worker"]["command"].startswith("celery -A reunification worker")
    assert services["beat"]["command"].startswith("celery -A reunification beat")


def test_application_services_share_database_redis_and_mail():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["EMAIL_HOST"] == "mail"
        assert environment["DEBUG"] == "0"
        assert "SECRET_KEY" in environment
        assert set(services[name]["depends_on"]) == {"db", "redis"}
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_database_and_redis_have_health_checks_and_volumes():
    document = compose()
    assert document["services"]["db"]["image"].startswith("postgres:")
    assert "healthcheck" in document["services"]["db"]
    assert "healthcheck" in document["services"]["redis"]
    assert {"db-data", "redis-data"} <= set(document["volumes"])


def test_static_files_are_served_by_whitenoise():
    from django.conf import settings

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile
    assert "install_govuk_frontend.py" in dockerfile


def test_deploy_check_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_celery_uses_redis_in_production():
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    with_redis = run_python(show, production_env(REDIS_URL="redis://example:6379/0"))
    assert with_redis.stdout.split() == ["redis://example:6379/0", "False"], with_redis.stderr


# Every variable production requires is given to each application service ----------

APPLICATION_SERVICES = ("web", "worker", "beat")


def test_compose_gives_every_application_service_each_required_variable():
    for service in APPLICATION_SERVICES:
        environment = compose_environment(service)
        missing = [name for name in REQUIRED_IN_PRODUCTION if not environment.get(name)]
        assert not missing, f"{service} lacks {missing}"


def test_each_application_service_loads_the_production_settings_from_compose_alone():
    show = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'], "
        "s.SITE_URL]))"
    )
    for service in APPLICATION_SERVICES:
        result = run_python(show, clean_env(**compose_environment(service)))
        assert result.returncode == 0, f"{service}: {result.stderr}"
        assert result.stdout.strip().splitlines()[-1] == (
            '[false, "django.core.mail.backends.smtp.EmailBackend", "mail", 1025, '
            '"redis://redis:6379/0", false, "django.db.backends.postgresql", '
            '"https://localhost"]'
        ), service


# The image build ---------------------------------------------------------------


def collectstatic_build_env() -> dict:
    """The variables the Dockerfile gives its collectstatic step, and nothing else
    from the settings (a docker build has none of this shell's environment)."""
    lines = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    (command,) = [line for line in lines if line.startswith("RUN ") and "collectstatic" in line]
    words = shlex.split(command.removeprefix("RUN "))
    assignments = {}
    for word in words:
        if "=" not in word or word.startswith("-"):
            break
        name, value = word.split("=", 1)
        assignments[name] = value
    return assignments


def test_the_image_build_gives_collectstatic_what_the_settings_require():
    build = collectstatic_build_env()
    assert "DEBUG" not in build, "the image is built with the production settings"
    assert set(REQUIRED_IN_PRODUCTION) <= set(build)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=ROOT,
        env=clean_env(**build),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "static files copied" in result.stdout


def test_the_build_placeholders_stay_in_the_build_step():
    """RUN NAME=value applies to that command alone; an ENV line would put the
    placeholders into every container started from the image."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_lines = [line for line in dockerfile.splitlines() if line.startswith("ENV ")]
    for name in REQUIRED_IN_PRODUCTION:
        assert not any(name in line for line in env_lines), name
