"""The production set-up, checked without a Docker engine: the compose file's
services and wiring, and Django's deployment checks under production settings."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def production_env(**extra):
    unwanted = {"DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-for-the-deploy-check-0123456789abcdef",
        ALLOWED_HOSTS="reunification.council.example",
    )
    env.update(extra)
    return env


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


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


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_celery_uses_redis_when_redis_url_is_set_and_runs_in_process_otherwise():
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    with_redis = run_python(show, production_env(REDIS_URL="redis://example:6379/0"))
    assert with_redis.stdout.split() == ["redis://example:6379/0", "False"]
    without = run_python(show, production_env())
    assert without.stdout.split() == ["memory://", "True"]
