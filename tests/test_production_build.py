"""The production build, built and started as the image does it, from the checkout
as `make install` leaves it (static/vendor fetched, no staticfiles folder):

1. `collectstatic` with the production storage (WhiteNoise's compressed manifest),
   DEBUG off, into a temporary STATIC_ROOT;
2. a fresh PostgreSQL database, migrated under the production settings;
3. a team manager and a case made through the product's own services;
4. gunicorn (a real process, on a free port) with DEBUG off;
5. over HTTP, as the council's TLS proxy passes requests on (X-Forwarded-Proto:
   https): the sign-in page, a real CSRF token and POST, the main pages, and every
   stylesheet, script and icon those pages link, served by WhiteNoise under hashed
   names with long cache headers.

Only the temporary STATIC_ROOT differs from the image: a two-line settings module
imports the production settings and sets it (tests.test_deploy.static_root_settings),
so nothing is written into the checkout. Skips only when PostgreSQL is unreachable
or gunicorn is not installed.
"""

import html.parser
import http.client
import importlib.util
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.test_deploy import clean_env, static_root_settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import install_govuk_frontend  # noqa: E402

VENDOR = ROOT / "static" / "vendor" / "govuk-frontend"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# WhiteNoise's max-age for files whose names carry their content's hash (10 years).
FOREVER = "max-age=315360000"
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|ico|svg|png)$")
PASSWORD = "a-production-build-password-" + secrets.token_hex(8)


# The vendored files refer only to files that are there ----------------------------


def installed_files() -> dict[str, bytes]:
    return {
        path.relative_to(VENDOR).as_posix(): path.read_bytes()
        for path in VENDOR.rglob("*")
        if path.is_file()
    }


def test_every_file_the_vendored_css_and_javascript_refer_to_is_installed():
    assert (VENDOR / "govuk-frontend.min.css").exists(), "run `make install` (or make frontend)"
    files = installed_files()

    assert install_govuk_frontend.missing_references(files) == []
    # What collectstatic's manifest failed on before: the map the JavaScript names is
    # there, and the stylesheet (rewritten, so the published map no longer fits it)
    # names none.
    assert "govuk-frontend.min.js.map" in files
    assert "sourceMappingURL" not in files["govuk-frontend.min.css"].decode()
    assert "assets/images/govuk-crest.svg" in files


def test_a_stylesheet_naming_a_file_that_is_not_unpacked_is_caught():
    published = (
        b"a{background:url(/assets/images/govuk-crest.svg)}"
        b"b{background:url(assets/images/missing.png)}"
        b"/*# sourceMappingURL=govuk-frontend.min.css.map */"
    )
    files = {
        "govuk-frontend.min.css": published,
        "govuk-frontend.min.js": b"export{a};//# sourceMappingURL=govuk-frontend.min.js.map",
        "assets/images/govuk-crest.svg": b"<svg/>",
    }

    assert install_govuk_frontend.missing_references(files) == [
        "govuk-frontend.min.css -> assets/images/missing.png",
        "govuk-frontend.min.css -> govuk-frontend.min.css.map",
        "govuk-frontend.min.js -> govuk-frontend.min.js.map",
    ]
    rewritten = install_govuk_frontend.rewrite_css(published.decode()).encode()
    assert install_govuk_frontend.missing_references(
        {**files, "govuk-frontend.min.css": rewritten, "govuk-frontend.min.js.map": b"{}"}
    ) == ["govuk-frontend.min.css -> assets/images/missing.png"]


# Building and starting it ----------------------------------------------------------


def postgres_admin_url() -> str:
    """The local PostgreSQL server, from DATABASE_URL when that names one, connected
    to its maintenance database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = LOCAL_POSTGRES
    return urllib.parse.urlparse(url)._replace(path="/postgres").geturl()


def connect(url: str):
    import psycopg2

    parts = urllib.parse.urlparse(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        dbname=parts.path.lstrip("/"),
        connect_timeout=3,
    )
    connection.autocommit = True
    return connection


@pytest.fixture(scope="module")
def database():
    """A fresh database on the local PostgreSQL server, dropped afterwards."""
    admin_url = postgres_admin_url()
    try:
        admin = connect(admin_url)
    except Exception as error:  # psycopg2.OperationalError, or no psycopg2 at all
        pytest.skip(f"PostgreSQL is not reachable at {admin_url}: {error}")
    name = f"reunification_build_{secrets.token_hex(4)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlparse(admin_url)._replace(path=f"/{name}").geturl()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, code: str | None = None) -> str:
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command += ["-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


# Run under the production settings with `manage.py shell -c`: a team manager (who may
# see reports) and a case she opens, through the product's own services.
MAKE_PEOPLE_AND_A_CASE = """
import datetime, json, os
from cases import services
from cases.models import CategoryOfNeed, Role, RoleGrant, ServiceArea, Sex, Team, User
from reunification.clock import today

area = ServiceArea.objects.create(name="Build area")
team = Team.objects.create(name="Build team", service_area=area)
manager = User.objects.create_user(
    "build.manager", "build.manager@council.example", os.environ["BUILD_PASSWORD"],
    first_name="Bea", last_name="Builder", team=team,
)
RoleGrant.objects.create(user=manager, role=Role.TEAM_MANAGER)
manager = User.objects.get(pk=manager.pk)
case = services.open_case(
    team=team,
    by=manager,
    became_looked_after_on=today() - datetime.timedelta(days=120),
    category_of_need=CategoryOfNeed.N1,
    allocations={Role.TEAM_MANAGER: manager},
    child_values={
        "first_name": "Robin",
        "last_name": "Buildwell",
        "date_of_birth": today() - datetime.timedelta(days=8 * 365),
        "sex": Sex.FEMALE,
        "ethnicity": "WBRI",
        "local_identifier": "BUILD-0001",
        "nhs_number": "",
    },
)
print(json.dumps({"case": case.pk}))
"""


@pytest.fixture(scope="module")
def site(database, tmp_path_factory):
    """The production build, serving: its address, the case made, STATIC_ROOT."""
    if importlib.util.find_spec("gunicorn") is None:
        pytest.skip("gunicorn is not installed (pip install -e '.[dev]')")
    assert (VENDOR / "govuk-frontend.min.css").exists(), "run `make install` (or make frontend)"

    folder = tmp_path_factory.mktemp("production-build")
    static_root = folder / "staticfiles"
    port = free_port()
    env = clean_env(
        **static_root_settings(folder, static_root),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database,
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(folder / "mail"),
        DEFAULT_FROM_EMAIL="reunification@council.example",
        SITE_URL=f"https://127.0.0.1:{port}",
        BUILD_PASSWORD=PASSWORD,
    )

    collected = manage(env, "collectstatic", "--noinput")
    assert "post-processed" in collected
    manage(env, "migrate", "--noinput")
    made = json.loads(manage(env, "shell", code=MAKE_PEOPLE_AND_A_CASE).strip().splitlines()[-1])

    log = folder / "gunicorn.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "reunification.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "-"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn did not start:\n{log.read_text()}"
                time.sleep(0.2)
        yield {"port": port, "case": made["case"], "static_root": static_root, "log": log}
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """HTTP to the server as the council's TLS proxy forwards it, keeping cookies."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None, proxied=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if proxied:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields: dict, referer: str):
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
            },
        )


class Links(html.parser.HTMLParser):
    """The stylesheets, icons and scripts a page links, and its CSRF token."""

    def __init__(self):
        super().__init__()
        self.assets, self.csrf = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs["value"]


def links(response) -> Links:
    parser = Links()
    parser.feed(response.body.decode())
    return parser


def sign_in(browser: Browser, username="build.manager", password=PASSWORD):
    page = browser.get("/sign-in/")
    assert page.status == 200, page.body[:2000]
    token = links(page).csrf
    assert token and "csrftoken" in browser.cookies
    return browser.post(
        "/sign-in/",
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
        referer="/sign-in/",
    )


@pytest.fixture(scope="module")
def signed_in(site):
    browser = Browser(site["port"])
    response = sign_in(browser)
    assert response.status == 302, response.body[:2000]
    assert response.headers["Location"] == "/cases/"
    assert "sessionid" in browser.cookies
    return browser


def page_paths(case: int) -> list[str]:
    return [
        "/cases/",
        "/cases/team/",
        f"/cases/{case}/",
        "/tasks/",
        "/decisions/",
        "/reports/",
        "/reports/outcomes/",
    ]


def test_the_main_pages_answer_200_to_a_team_manager_signed_in_over_http(site, signed_in):
    for path in page_paths(site["case"]):
        response = signed_in.get(path)
        assert response.status == 200, (
            f"{path}: {response.status} {response.body[:2000]}\n{site['log'].read_text()[-3000:]}"
        )
        assert b"govuk-template" in response.body, path
    overview = signed_in.get(f"/cases/{site['case']}/").body.decode()
    assert "Robin Buildwell" in overview


def test_the_sign_in_needs_the_csrf_token_and_the_right_password(site):
    browser = Browser(site["port"])
    browser.get("/sign-in/")
    no_token = browser.post(
        "/sign-in/",
        {"username": "build.manager", "password": PASSWORD},
        referer="/sign-in/",
    )
    assert no_token.status == 403
    assert "sessionid" not in browser.cookies
    stranger = Browser(site["port"])
    wrong = sign_in(stranger, password="not-the-password")
    assert wrong.status == 200 and "sessionid" not in stranger.cookies
    assert b"govuk-error-summary" in wrong.body


def test_it_runs_with_debug_off(site, signed_in):
    # Plain HTTP is sent to HTTPS, and an unknown page shows no debug page.
    plain = signed_in.request("GET", "/cases/", proxied=False)
    assert plain.status == 301
    assert plain.headers["Location"].startswith("https://")
    missing = signed_in.get("/cases/99999999/")
    assert missing.status == 404
    assert b"Traceback" not in missing.body and b"DEBUG = True" not in missing.body
    assert "Strict-Transport-Security" in signed_in.get("/cases/").headers


def test_every_asset_the_pages_link_is_served_by_whitenoise_hashed_and_cached_long(site, signed_in):
    manifest = json.loads((site["static_root"] / "staticfiles.json").read_text())["paths"]
    hashed_names = set(manifest.values())
    assets = set()
    for path in page_paths(site["case"]) + ["/sign-in/"]:
        assets.update(links(signed_in.get(path)).assets)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)

    for asset in sorted(assets):
        assert asset.startswith("/static/"), asset
        name = asset.removeprefix("/static/")
        assert HASHED.search(name) and name in hashed_names, f"{asset} is not a hashed name"
        response = signed_in.get(asset, **{"Accept-Encoding": "identity"})
        assert response.status == 200, asset
        assert response.body == (site["static_root"] / name).read_bytes(), asset
        cache = response.headers["Cache-Control"]
        assert FOREVER in cache and "immutable" in cache, f"{asset}: {cache}"
        # WhiteNoise, not Django: no session cookie or page headers on static files.
        assert "Set-Cookie" not in response.headers, asset

    stylesheet = next(a for a in assets if "govuk-frontend.min" in a and a.endswith(".css"))
    compressed = signed_in.get(stylesheet, **{"Accept-Encoding": "gzip"})
    assert compressed.status == 200
    assert compressed.headers["Content-Encoding"] in ("gzip", "br")


def test_what_the_stylesheet_and_scripts_refer_to_is_served(site, signed_in):
    root = site["static_root"]
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    css = (root / manifest["vendor/govuk-frontend/govuk-frontend.min.css"]).read_text()
    urls = re.findall(r"""url\(["']?([^"')]+)["']?\)""", css)
    assert urls
    for url in urls:
        if url.startswith("data:"):
            continue
        path = urllib.parse.urljoin(
            "/static/" + manifest["vendor/govuk-frontend/govuk-frontend.min.css"], url
        )
        response = signed_in.get(path)
        assert response.status == 200, path
        assert FOREVER in response.headers["Cache-Control"], path
    # init.js imports the GOV.UK Frontend module, which names its source map.
    init = (root / manifest["js/init.js"]).read_text()
    (module,) = re.findall(r'from\s*"([^"]+)"', init)
    script = signed_in.get(urllib.parse.urljoin("/static/" + manifest["js/init.js"], module))
    assert script.status == 200 and b"initAll" in script.body
    # ...by its hashed name (reunification.storage), so it is cached for good too.
    assert module.endswith(manifest["vendor/govuk-frontend/govuk-frontend.min.js"].split("/")[-1])
    assert FOREVER in script.headers["Cache-Control"]
    source_map = signed_in.get("/static/vendor/govuk-frontend/govuk-frontend.min.js.map")
    assert source_map.status == 200
    assert json.loads(source_map.body)["file"] == "govuk-frontend.min.js"


def test_signing_out_ends_the_session(site):
    browser = Browser(site["port"])
    assert sign_in(browser).status == 302
    page = browser.get("/cases/")
    token = links(page).csrf
    out = browser.post("/sign-out/", {"csrfmiddlewaretoken": token}, referer="/cases/")
    assert out.status == 302
    after = browser.get("/cases/")
    assert after.status == 302 and after.headers["Location"].startswith("/sign-in/")
