"""Production settings fail fast: with DEBUG off, every setting production needs
must come from the environment, and one error names everything missing. With
DEBUG on, development works with nothing set, as before.

Each test imports reunification.settings in a fresh Python process with an
environment made for it (none of this shell's settings leak in).
"""

import json

import pytest

from tests.test_deploy import PRODUCTION, REQUIRED_IN_PRODUCTION, clean_env, production_env
from tests.test_deploy import run_python as run_code

SHOWN = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
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
]

SHOW = (
    "import json, reunification.settings as s; "
    f"values = {{n: getattr(s, n) for n in {SHOWN!r}}}; "
    "db = s.DATABASES['default']; "
    "values['DATABASE'] = [db['ENGINE'], str(db['NAME']), db.get('HOST', '')]; "
    "print(json.dumps(values))"
)

SMTP = "django.core.mail.backends.smtp.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def load(env: dict) -> dict:
    result = run_code(SHOW, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refusal(env: dict) -> str:
    """The ImproperlyConfigured message the settings stop with."""
    result = run_code("import reunification.settings", env)
    assert result.returncode != 0, "the settings loaded"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last.removeprefix("django.core.exceptions.ImproperlyConfigured: ")


# Refusing to start -----------------------------------------------------------------


def test_production_with_nothing_set_names_every_missing_variable_in_one_message():
    message = refusal(clean_env(DEBUG="0"))

    for name in REQUIRED_IN_PRODUCTION:
        assert name in message
    assert "EMAIL_HOST (or an explicit EMAIL_BACKEND)" in message


def test_debug_unset_is_production():
    message = refusal(clean_env())

    assert all(name in message for name in REQUIRED_IN_PRODUCTION)


@pytest.mark.parametrize("name", REQUIRED_IN_PRODUCTION)
def test_each_required_variable_is_named_when_it_alone_is_missing(name):
    message = refusal(production_env(**{name: None}))

    assert name in message
    others = [other for other in REQUIRED_IN_PRODUCTION if other != name]
    assert not [other for other in others if other in message], message


@pytest.mark.parametrize("name", REQUIRED_IN_PRODUCTION)
def test_an_empty_value_counts_as_missing(name):
    assert name in refusal(production_env(**{name: "  "}))


def test_an_explicit_smtp_backend_still_needs_its_host():
    message = refusal(production_env(EMAIL_BACKEND=SMTP, EMAIL_HOST=None))

    assert "EMAIL_HOST" in message


def test_the_file_backend_needs_its_folder():
    message = refusal(production_env(EMAIL_BACKEND=FILE, EMAIL_HOST=None))

    assert "EMAIL_FILE_PATH" in message


def test_tls_and_ssl_together_are_refused():
    message = refusal(production_env(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1"))

    assert "EMAIL_USE_TLS and EMAIL_USE_SSL" in message


def test_a_site_url_that_is_not_an_address_is_refused():
    message = refusal(production_env(SITE_URL="reunification.council.example"))

    assert "SITE_URL must start with https://" in message


def test_invalid_and_missing_settings_are_named_together():
    message = refusal(production_env(SITE_URL="nowhere", REDIS_URL=None))

    assert "REDIS_URL" in message and "SITE_URL must start with https://" in message


# A complete production environment ------------------------------------------------


def test_a_complete_production_environment_loads_with_its_values():
    values = load(production_env())

    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]
    assert values["ALLOWED_HOSTS"] == ["reunification.council.example"]
    assert values["DATABASE"] == [
        "django.db.backends.postgresql",
        "reunification",
        "db.council.example",
    ]
    # The broker, not in-process tasks.
    assert values["REDIS_URL"] == values["CELERY_BROKER_URL"] == PRODUCTION["REDIS_URL"]
    assert values["CELERY_RESULT_BACKEND"] == PRODUCTION["REDIS_URL"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    # Mail over SMTP, links to the real address.
    assert values["EMAIL_BACKEND"] == SMTP
    assert values["EMAIL_HOST"] == "smtp.council.example"
    assert values["EMAIL_PORT"] == 25
    assert values["DEFAULT_FROM_EMAIL"] == "reunification@council.example"
    assert values["SITE_URL"] == "https://reunification.council.example"


def test_every_email_setting_is_read_from_the_environment():
    values = load(
        production_env(
            EMAIL_HOST="relay.council.example",
            EMAIL_PORT="587",
            EMAIL_HOST_USER="reunification",
            EMAIL_HOST_PASSWORD="pass word",
            EMAIL_USE_TLS="true",
            EMAIL_TIMEOUT="10",
            DEFAULT_FROM_EMAIL="Reunification <no-reply@council.example>",
        )
    )

    assert values["EMAIL_BACKEND"] == SMTP
    assert values["EMAIL_HOST"] == "relay.council.example"
    assert values["EMAIL_PORT"] == 587
    assert values["EMAIL_HOST_USER"] == "reunification"
    assert values["EMAIL_HOST_PASSWORD"] == "pass word"
    assert (values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (True, False)
    assert values["EMAIL_TIMEOUT"] == 10
    assert values["DEFAULT_FROM_EMAIL"] == "Reunification <no-reply@council.example>"


def test_ssl_on_its_own_port():
    values = load(production_env(EMAIL_PORT="465", EMAIL_USE_SSL="1"))

    assert (values["EMAIL_PORT"], values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (
        465,
        False,
        True,
    )


def test_an_explicit_backend_needs_no_smtp_host(tmp_path):
    values = load(
        production_env(EMAIL_HOST=None, EMAIL_BACKEND=FILE, EMAIL_FILE_PATH=str(tmp_path))
    )

    assert values["EMAIL_BACKEND"] == FILE
    assert values["EMAIL_FILE_PATH"] == str(tmp_path)
    assert values["EMAIL_HOST"] == ""


def test_the_site_url_loses_a_trailing_slash():
    assert load(production_env(SITE_URL="https://x.example/"))["SITE_URL"] == "https://x.example"


# Development, unchanged -------------------------------------------------------------


def test_development_needs_nothing_set():
    values = load(clean_env(DEBUG="1"))

    assert values["DEBUG"] is True
    assert values["SECRET_KEY"].startswith("development-only-key")
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    engine, name, _ = values["DATABASE"]
    assert engine == "django.db.backends.sqlite3" and name.endswith("db.sqlite3")
    assert values["EMAIL_BACKEND"] == CONSOLE
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["SITE_URL"] == "http://127.0.0.1:8000"
    assert values["DEFAULT_FROM_EMAIL"] == "reunification@localhost"


def test_development_uses_a_broker_and_smtp_when_given():
    values = load(
        clean_env(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/5", EMAIL_HOST="127.0.0.1")
    )

    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/5"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["EMAIL_BACKEND"] == SMTP
