"""Settings, read from the environment.

DEBUG=1 gives a development set-up: an SQLite file, mail to the console, tasks
run in-process unless REDIS_URL is set, and a development secret key.

Without DEBUG (production) nothing falls back to a development default: the
application refuses to start, with ImproperlyConfigured naming every missing
variable at once, unless SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
SITE_URL, DEFAULT_FROM_EMAIL and the mail set-up (EMAIL_HOST, or an explicit
EMAIL_BACKEND) are all set. It then runs with secure cookies, HSTS and HTTPS
redirects.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


DEBUG = env_bool("DEBUG")

# What production needs but the environment does not give (and values that cannot
# work), collected here and refused together at the end of this module, so one
# start-up names everything to fix. Lower case: these are not Django settings.
_missing: list[str] = []
_invalid: list[str] = []


def required_in_production(name: str, development_default: str = "") -> str:
    """The variable's value; with DEBUG on, the development default when it is not
    set; with DEBUG off, a missing value is recorded and refused at the end."""
    value = env_str(name)
    if not value and not DEBUG:
        _missing.append(name)
    return value or development_default


SECRET_KEY = required_in_production(
    "SECRET_KEY", "development-only-key-never-used-in-production-0123456789abcdefghij"
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    _missing.append("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SERVICE_NAME = "Reunification"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "simple_history",
    "axes",
    "cases",
    "risk",
    "planning",
    "reviews",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages to someone signed in, and downloads, carry personal data: never stored.
    "reunification.middleware.NoStoreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reunification.urls"
WSGI_APPLICATION = "reunification.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reunification.context_processors.service",
                "reunification.context_processors.form_drafts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # Production names its database; only development falls back to the file.
        required_in_production("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:my_cases"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-in while a username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after this many minutes without a request; pages warn two
# minutes before (static/js/session-timeout.js) and offer to stay signed in.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in throttling (django-axes): after this many failed sign-ins for one username
# from one address, that pair is locked out for the cool-off minutes. A successful
# sign-in clears that pair's count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF_MINUTES", "15"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Ours, not axes': after this many failed sign-ins from one address, whatever the
# usernames, nobody signs in from there for up to the cool-off minutes (password
# spraying). cases.sign_in.SignInHandler counts it; axes has one limit only.
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "cases.sign_in.SignInHandler"
AXES_RESET_ON_SUCCESS = True
# Tries while locked out do not restart the wait the lockout page tells people about.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "cases.sign_in.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# The address both limits count by (cases.throttle.client_address): the connecting
# address, unless this many proxies of ours stand in front and each appends to
# X-Forwarded-For; then the entry the outermost one wrote. Entries a client wrote
# itself are never read.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    _invalid.append(f"TRUSTED_PROXY_COUNT cannot be negative (it is {TRUSTED_PROXY_COUNT})")
AXES_CLIENT_IP_CALLABLE = "cases.throttle.client_address"
# Password-reset emails (cases.throttle): at most this many from one address, and
# for one email address, in any window of this many minutes.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "3"))
PASSWORD_RESET_LIMIT_MINUTES = int(os.environ.get("PASSWORD_RESET_LIMIT_MINUTES", "60"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC_STORAGE")
            else "reunification.storage.StaticFilesStorage"
        )
    },
}

# Content-Security-Policy (django-csp): scripts, styles, fonts and images come only
# from this site's own static files. No inline <script>, event-handler attribute or
# style= attribute is allowed, so templates keep all of those in static/js and
# static/css (tests/test_security_headers_csp.py checks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email. Every setting comes from the environment. EMAIL_BACKEND, when set, is
# used as given (e.g. the file backend with EMAIL_FILE_PATH); otherwise SMTP when
# EMAIL_HOST is set. With neither, development prints mail to the console and
# production refuses to start.
_smtp_backend = "django.core.mail.backends.smtp.EmailBackend"
_file_backend = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str("EMAIL_BACKEND")
if not EMAIL_BACKEND:
    if EMAIL_HOST:
        EMAIL_BACKEND = _smtp_backend
    else:
        EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
        if not DEBUG:
            _missing.append("EMAIL_HOST (or an explicit EMAIL_BACKEND)")
elif _smtp_backend == EMAIL_BACKEND and not EMAIL_HOST and not DEBUG:
    _missing.append("EMAIL_HOST")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
if _file_backend == EMAIL_BACKEND and not EMAIL_FILE_PATH and not DEBUG:
    _missing.append("EMAIL_FILE_PATH")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    _invalid.append("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on; choose one")
EMAIL_TIMEOUT = float(env_str("EMAIL_TIMEOUT")) if env_str("EMAIL_TIMEOUT") else None
DEFAULT_FROM_EMAIL = required_in_production("DEFAULT_FROM_EMAIL", "reunification@localhost")

# Celery: Redis when REDIS_URL is set; otherwise (development only) tasks run
# in-process. Production needs the broker: beat and the workers meet there.
REDIS_URL = required_in_production("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REFERRER_POLICY = "same-origin"

# Reminders: the nightly run's time (Europe/London), how often Child in Need reviews
# fall after a return home, and after how many days overdue an item also goes to
# the team manager.
REMINDER_HOUR = int(os.environ.get("REMINDER_HOUR", "6"))
REMINDER_MINUTE = int(os.environ.get("REMINDER_MINUTE", "30"))
CIN_REVIEW_INTERVAL_MONTHS = int(os.environ.get("CIN_REVIEW_INTERVAL_MONTHS", "3"))
ESCALATE_OVERDUE_AFTER_DAYS = int(os.environ.get("ESCALATE_OVERDUE_AFTER_DAYS", "7"))
# The address people open, for the links in emails (reminders, password resets).
SITE_URL = required_in_production("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    _invalid.append(f"SITE_URL must start with https:// or http:// (it is {SITE_URL!r})")
# A worker that claimed a digest and then died: after this many seconds another
# worker takes the digest over.
REMINDER_CLAIM_LEASE_SECONDS = int(os.environ.get("REMINDER_CLAIM_LEASE_SECONDS", "900"))

# Report figures are worked out at most this often (seconds); see reporting.snapshots.
REPORT_FRESH_SECONDS = int(os.environ.get("REPORT_FRESH_SECONDS", "600"))

# The Reunification Planning Meeting is held within this many working days of a
# positive viability consultation (a local setting; see reviews.deadlines.rules).
PLANNING_MEETING_WORKING_DAYS = int(os.environ.get("PLANNING_MEETING_WORKING_DAYS", "20"))

# A child in need after a return that ended her care is visited at least this
# often, in working days (a local setting: 20, about four weeks, unless set).
CIN_VISIT_INTERVAL_WORKING_DAYS = int(os.environ.get("CIN_VISIT_INTERVAL_WORKING_DAYS", "20"))

# The expected time in each stage, in calendar days: a case in a stage longer than
# this shows as drifting to its team manager and in the caseload report (see
# reviews.journey.drift). Each can be set locally, e.g. STAGE_EXPECTED_DAYS_ASSESSMENT=70.
_STAGE_EXPECTED_DEFAULTS = {
    "identification": 42,  # considered, confirmed, agreed and ratified within six weeks
    "assessment": 84,  # the assessment and the viability consultation: twelve weeks
    "support_planning": 182,  # the initial programme before the viability meeting: six months
    "confirmation": 42,  # from the viability meeting to the return: six weeks
    "return_home": 730,  # a return is usually secure after two years at home
    "not_pursued": 182,  # reconsidered, or a permanence plan made, within six months
}
STAGE_EXPECTED_DAYS = {
    stage: int(os.environ.get(f"STAGE_EXPECTED_DAYS_{stage.upper()}", days))
    for stage, days in _STAGE_EXPECTED_DEFAULTS.items()
}

# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE = {
    # The whole-council report figures, kept fresh so no manager waits for them.
    "refresh-reports": {
        "task": "reporting.tasks.refresh_reports",
        "schedule": crontab(minute="*/5"),
    },
    # Every open case's deadlines re-derived (reviews.deadlines.refresh.sweep), an
    # hour before the reminders so they list what the records say.
    "nightly-deadline-sweep": {
        "task": "reviews.tasks.sweep_deadlines",
        "schedule": crontab(hour=(REMINDER_HOUR - 1) % 24, minute=REMINDER_MINUTE),
    },
    # The nightly reminder digests (reviews.reminders), at the set time, London time.
    "nightly-reminders": {
        "task": "reviews.tasks.send_reminders",
        "schedule": crontab(hour=REMINDER_HOUR, minute=REMINDER_MINUTE),
    },
    # Finishes what the nightly run left, or does it late if it never ran.
    "reminders-catch-up": {
        "task": "reviews.tasks.catch_up_reminders",
        "schedule": crontab(minute="*/15"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Production refuses to start on a partial configuration, naming all that is wrong.
if _missing or _invalid:
    _problems = []
    if _missing:
        _problems.append(
            "DEBUG is off (production), so these environment variables must be set: "
            + ", ".join(_missing)
            + " (see Configuration in README.md; DEBUG=1 is for development only)."
        )
    _problems.extend(f"{problem}." for problem in _invalid)
    raise ImproperlyConfigured(" ".join(_problems))
