"""A bounded load test: N simulated people sign in and work through their pages
against a running server on this machine, for a fixed time, then stop.

    python scripts/load_test.py --base http://127.0.0.1:8000 --users 20 --seconds 120

The people are the demo users, one of each role in turn (social workers, team
managers, the head of service, the IRO, the service director, performance), and
each loops over the pages their role works from (ROLE_PAGES). It reports
requests, errors, throughput and latency percentiles, overall and by role. Only
loopback addresses are accepted, so it can never load anything but this machine.

A production-settings server (DEBUG off) redirects plain http to https and marks
its cookies Secure. Behind the proxy that ends TLS, the request says it came in
over https in the header the settings name (SECURE_PROXY_SSL_HEADER:
X-Forwarded-Proto); this client sends that header on every request, as the
proxy would, and keeps its Secure cookies. So it signs in to a development
server and a production one alike. Standard library only.
"""

import argparse
import http.cookiejar
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from urllib.error import HTTPError

PASSWORD = "demo-password-2026"
# (username, role), in the order simulated people are given them.
USERS = [
    ("sw.north", "social worker"),
    ("tm.north", "team manager"),
    ("sw.north2", "social worker"),
    ("hos", "head of service"),
    ("sw.south", "social worker"),
    ("iro", "IRO"),
    ("tm.south", "team manager"),
    ("director", "service director"),
    ("performance", "performance"),
]
CASE_PAGES = ["/cases/{case}/", "/cases/{case}/risk/", "/cases/{case}/journey/"]
# The pages each role works from; {case} is one of the cases on their first page.
ROLE_PAGES = {
    "social worker": ["/cases/", "/cases/?scope=all&q=a", "/tasks/", *CASE_PAGES],
    "team manager": ["/cases/team/", "/decisions/", "/tasks/team/", "/reports/", *CASE_PAGES],
    "head of service": ["/cases/?scope=all", "/decisions/", "/reports/", "/cases/{case}/"],
    "IRO": ["/cases/", "/decisions/", "/cases/{case}/", "/cases/{case}/journey/"],
    "service director": ["/cases/?scope=all", "/reports/", "/reports/outcomes/"],
    "performance": [
        "/reports/",
        "/reports/outcomes/",
        "/reports/?csv=overdue",
        "/reports/outcomes/?csv=re-entry",
    ],
}
# The header the production settings read as "the request came over https".
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class _BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies are sent back: the proxy in front says https."""

    def return_ok_secure(self, cookie, request):
        return True


class Person:
    def __init__(self, base: str, username: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar(policy=_BehindTheProxy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.username = username
        host = urllib.parse.urlparse(self.base).netloc
        # What the browser would send: the page it came from, over https.
        self.referer = f"https://{host}/sign-in/"

    def request(self, path: str, data: bytes | None = None) -> tuple[str, str]:
        request = urllib.request.Request(
            self.base + path, data=data, headers={**PROXY_HEADERS, "Referer": self.referer}
        )
        with self.opener.open(request, timeout=60) as response:
            return response.geturl(), response.read().decode()

    def get(self, path: str) -> str:
        url, body = self.request(path)
        if urllib.parse.urlparse(url).scheme == "https":
            raise RuntimeError(f"{path} was redirected to https: the proxy header was refused")
        return body

    def sign_in(self) -> None:
        page = self.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD}
        ).encode()
        url, _ = self.request("/sign-in/", data)
        if urllib.parse.urlparse(url).path.startswith("/sign-in/"):
            raise RuntimeError(f"{self.username} could not sign in")


def first_cases(page: str) -> list[str]:
    return re.findall(r'href="/cases/(\d+)/"', page)[:10]


def role_paths(person: Person, role: str) -> list[str]:
    """The role's pages, its case pages filled in from its first list of cases."""
    paths = ROLE_PAGES[role]
    cases = first_cases(person.get(paths[0]))
    if not cases:
        cases = first_cases(person.get("/cases/?scope=all"))
    filled = []
    for number, path in enumerate(paths):
        if "{case}" in path:
            if not cases:
                continue
            path = path.format(case=cases[number % len(cases)])
        filled.append(path)
    return filled


def work(base, username, role, deadline, latencies, errors, lock):
    person = Person(base, username)
    try:
        person.sign_in()
        paths = role_paths(person, role)
    except Exception as error:  # noqa: BLE001 - counted and reported
        with lock:
            errors.append(f"sign-in {username}: {error}")
        return
    while time.monotonic() < deadline:
        for path in paths:
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                person.get(path)
            except HTTPError as error:
                with lock:
                    errors.append(f"{username} {path}: {error.code}")
                continue
            except Exception as error:  # noqa: BLE001
                with lock:
                    errors.append(f"{username} {path}: {error}")
                continue
            with lock:
                latencies[role].append((time.perf_counter() - started) * 1000)


def percentile(values: list[float], p: int) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def run(base: str, users: int, seconds: int) -> dict:
    latencies, errors, lock = defaultdict(list), [], threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=work, args=(base, *USERS[i % len(USERS)], deadline, latencies, errors, lock)
        )
        for i in range(users)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    every = [ms for role in latencies.values() for ms in role]
    return {
        "users": users,
        "seconds": round(elapsed),
        "requests": len(every),
        "errors": errors,
        "per_second": round(len(every) / elapsed, 1),
        "median_ms": round(statistics.median(every)) if every else None,
        "p95_ms": round(percentile(every, 95)) if every else None,
        "by_role": {
            role: {"requests": len(ms), "median_ms": round(statistics.median(ms))}
            for role, ms in sorted(latencies.items())
        },
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    host = urllib.parse.urlparse(args.base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("Load tests run against this machine only (127.0.0.1)")
    result = run(args.base, args.users, args.seconds)
    print(
        f"{result['users']} users for {result['seconds']} s: {result['requests']} requests, "
        f"{len(result['errors'])} errors, {result['per_second']} requests/s"
    )
    if result["requests"]:
        print(f"latency ms: median {result['median_ms']}, p95 {result['p95_ms']}")
    for role, figures in result["by_role"].items():
        print(f"  {role}: {figures['requests']} requests, median {figures['median_ms']} ms")
    for error in result["errors"][:10]:
        print("error:", error)
    raise SystemExit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
