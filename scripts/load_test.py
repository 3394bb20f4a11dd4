"""A bounded load test: N simulated people sign in and work through their cases
against a running server on this machine, for a fixed time, then stop.

    python scripts/load_test.py --base http://127.0.0.1:8000 --users 20 --seconds 120

Each simulated person signs in as one of the demo users, then loops: their
caseload, a filtered caseload, a case overview, its risk page, the journey page,
My tasks. It reports requests, errors, throughput and latency percentiles. Only
loopback addresses are accepted, so it can never load anything but this machine.
"""

import argparse
import http.cookiejar
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request
from urllib.error import HTTPError

USERS = ["sw.north", "sw.north2", "sw.south", "tm.north", "tm.south", "hos", "iro", "director"]
PASSWORD = "demo-password-2026"


class Person:
    def __init__(self, base: str, username: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.jar = jar
        self.username = username

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def sign_in(self) -> None:
        page = self.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(
            self.base + "/sign-in/", data=data, headers={"Referer": self.base + "/sign-in/"}
        )
        with self.opener.open(request, timeout=30) as response:
            if "My cases" not in response.read().decode():
                raise RuntimeError(f"{self.username} could not sign in")


def work(base, username, deadline, latencies, errors, lock):
    person = Person(base, username)
    try:
        person.sign_in()
    except Exception as error:  # noqa: BLE001 - counted and reported
        with lock:
            errors.append(f"sign-in {username}: {error}")
        return
    cases = []
    while time.monotonic() < deadline:
        paths = ["/cases/?scope=all", "/cases/?scope=all&q=a", "/tasks/"]
        if cases:
            case = cases[len(latencies) % len(cases)]
            paths += [f"/cases/{case}/", f"/cases/{case}/risk/", f"/cases/{case}/journey/"]
        for path in paths:
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                page = person.get(path)
            except HTTPError as error:
                with lock:
                    errors.append(f"{path}: {error.code}")
                continue
            except Exception as error:  # noqa: BLE001
                with lock:
                    errors.append(f"{path}: {error}")
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
            if not cases and path.startswith("/cases/?"):
                cases = re.findall(r'href="/cases/(\d+)/"', page)[:10]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    host = urllib.parse.urlparse(args.base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("Load tests run against this machine only (127.0.0.1)")
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(
            target=work,
            args=(args.base, USERS[i % len(USERS)], deadline, latencies, errors, lock),
        )
        for i in range(args.users)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    print(
        f"{args.users} users for {elapsed:.0f} s: {len(latencies)} requests, "
        f"{len(errors)} errors, {len(latencies) / elapsed:.1f} requests/s"
    )
    if latencies:
        print(
            f"latency ms: median {statistics.median(latencies):.0f}, p90 {pct(90):.0f}, "
            f"p95 {pct(95):.0f}, p99 {pct(99):.0f}, max {latencies[-1]:.0f}"
        )
    for error in errors[:10]:
        print("error:", error)
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
