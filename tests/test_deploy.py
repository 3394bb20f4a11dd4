"""The production set-up, checked without a Docker engine: the compose file's
services and wiring, the Dockerfile's steps and build context, its collectstatic
step run for real with the manifest storage, and Django's deployment checks under
production settings. tests/test_production_build.py builds and starts it."""

import fnmatch
import json
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
    assert set(services) == {"migrate", "web", "worker", "beat", "db", "redis", "mail"}


def test_migrations_run_once_before_anything_uses_the_database():
    services = compose()["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    # It exits when done; restarting it would run it again and again.
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
        assert "migrate" not in " ".join(services[name]["command"]), name


def test_web_runs_gunicorn_itself_on_port_8000():
    """Exec form, no `sh -c`: gunicorn is the container's first process, so the stop
    signal reaches it and it shuts down gracefully."""
    web = compose()["services"]["web"]
    command = web["command"]
    assert isinstance(command, list)
    assert command[:2] == ["gunicorn", "reunification.wsgi:application"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert "8000:8000" in web["ports"]
    assert compose_environment("web")["WEB_CONCURRENCY"] == "3"


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
        assert set(services[name]["depends_on"]) == {"db", "redis", "migrate"}
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_database_and_redis_have_health_checks_and_volumes():
    document = compose()
    assert document["services"]["db"]["image"].startswith("postgres:")
    assert "healthcheck" in document["services"]["db"]
    assert "healthcheck" in document["services"]["redis"]
    assert {"db-data", "redis-data"} <= set(document["volumes"])


def test_production_serves_hashed_static_files_through_whitenoise():
    show = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.MIDDLEWARE, s.STORAGES['staticfiles']['BACKEND'], "
        "str(s.STATIC_ROOT), s.STATIC_URL]))"
    )
    result = run_python(show, production_env())
    assert result.returncode == 0, result.stderr
    middleware, storage, static_root, static_url = json.loads(result.stdout.splitlines()[-1])
    # Straight after SecurityMiddleware, as WhiteNoise asks: before sessions and
    # sign-in, so static files need neither.
    assert middleware[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert storage == "reunification.storage.StaticFilesStorage"
    # Where the image's collectstatic writes (WORKDIR /app).
    assert static_root == str(ROOT / "staticfiles")
    assert static_url == "/static/"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each Dockerfile instruction, continuations joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def step(instructions, match) -> int:
    (index,) = [i for i, (name, args) in enumerate(instructions) if match(name, args)]
    return index


def test_the_dockerfile_installs_collects_and_serves_in_an_order_that_builds():
    instructions = dockerfile_instructions()
    install = step(instructions, lambda n, a: n == "RUN" and "install_govuk_frontend.py" in a)
    copy_all = step(instructions, lambda n, a: n == "COPY" and a.split() == [".", "."])
    collect = step(instructions, lambda n, a: n == "RUN" and "collectstatic" in a)
    user = step(instructions, lambda n, a: n == "USER")
    (cmd,) = [args for name, args in instructions if name == "CMD"]

    # GOV.UK Frontend is in place before collectstatic reads static/, the code is
    # copied before it too, and the files belong to root, not the user that runs.
    assert install < copy_all < collect < user
    assert instructions[user][1] == "reunification"
    assert "--noinput" in instructions[collect][1]
    command = json.loads(cmd)
    assert command[:2] == ["gunicorn", "reunification.wsgi:application"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's patterns leave `path` out of the build context (a
    pattern that matches a folder leaves out all in it)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern) or (
                pattern != bare and fnmatch.fnmatchcase(prefix.rsplit("/", 1)[-1], bare)
            ):
                return True
    return False


def test_the_build_context_leaves_out_secrets_local_data_and_what_the_build_makes():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not [p for p in patterns if p.startswith("!")], "no exceptions to the list"
    for path in [
        ".env",  # SECRET_KEY and POSTGRES_PASSWORD
        ".env.production",
        ".git/config",
        ".venv/bin/python",
        "db.sqlite3",  # development data
        "bench-1000.sqlite3",
        "staticfiles/staticfiles.json",
        # The image installs its own; the builder's copy must not replace it.
        "static/vendor/govuk-frontend/govuk-frontend.min.css",
        "tests/vendor/axe-core/axe.min.js",
        "cases/__pycache__/views.cpython-311.pyc",
    ]:
        assert ignored(path, patterns), f"{path} would be copied into the image"
    for path in [
        "manage.py",
        "pyproject.toml",
        "scripts/install_govuk_frontend.py",
        "reunification/settings.py",
        "templates/base.html",
        "static/css/reunification.css",
        "static/js/init.js",
        "cases/migrations/0001_initial.py",
    ]:
        assert not ignored(path, patterns), f"{path} is left out of the image"


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

APPLICATION_SERVICES = ("migrate", "web", "worker", "beat")


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


def static_root_settings(folder: Path, static_root: Path) -> dict:
    """Environment for the production settings with STATIC_ROOT moved to
    `static_root` (a settings module in `folder` importing them and setting only
    that), so a real collectstatic writes nothing into the checkout."""
    (folder / "static_root_settings.py").write_text(
        f"from reunification.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    return {
        "DJANGO_SETTINGS_MODULE": "static_root_settings",
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
    }


def test_the_image_builds_its_static_files_with_the_manifest_storage(tmp_path):
    """The Dockerfile's collectstatic step, run as it is (not --dry-run, which skips
    the manifest's post-processing), on static/ as `make install` leaves it. Every
    file a template names, and every file the stylesheets refer to, gets a hashed
    name; a missing one fails the step, and gunicorn would answer 500."""
    build = collectstatic_build_env()
    assert "DEBUG" not in build, "the image is built with the production settings"
    assert set(REQUIRED_IN_PRODUCTION) <= set(build)
    static_root = tmp_path / "staticfiles"
    env = clean_env(**build, **static_root_settings(tmp_path, static_root))

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "post-processed" in result.stdout
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    named = set()
    for template in (ROOT / "templates").rglob("*.html"):
        named.update(re.findall(r"""\{% static ['"]([^'"]+)['"]""", template.read_text()))
    assert "vendor/govuk-frontend/govuk-frontend.min.css" in named
    for name in sorted(named):
        assert name in manifest, f"{name} has no manifest entry"
        assert manifest[name] != name and (static_root / manifest[name]).exists()
    assert (
        static_root / (manifest["vendor/govuk-frontend/govuk-frontend.min.css"] + ".gz")
    ).exists()


def test_the_build_placeholders_stay_in_the_build_step():
    """RUN NAME=value applies to that command alone; an ENV line would put the
    placeholders into every container started from the image."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_lines = [line for line in dockerfile.splitlines() if line.startswith("ENV ")]
    for name in REQUIRED_IN_PRODUCTION:
        assert not any(name in line for line in env_lines), name


def test_gunicorn_timeouts_are_set_and_the_same_in_image_and_compose():
    """A deliberate worker timeout, not gunicorn's 30 s default, in both places."""
    (cmd,) = [args for name, args in dockerfile_instructions() if name == "CMD"]
    image = json.loads(cmd)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "command"
    ]
    for command in (image, compose):
        assert command[command.index("--timeout") + 1] == "60"
        assert command[command.index("--graceful-timeout") + 1] == "30"
