import json
import os
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import ReunificationCase
from reporting.benchmark import ensure_deadlines, measure

# The production settings need these; the values are the benchmark's own, for a
# server on this machine only.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "DEFAULT_FROM_EMAIL": "bench@example.invalid",
    "PLAIN_STATIC_STORAGE": "1",  # no collectstatic for a benchmark
}


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    redis = os.environ.get("BENCH_REDIS_URL")
    if not redis:
        raise CommandError("The production settings need Redis: set REDIS_URL for `bench`")
    env = {
        **os.environ,
        **PRODUCTION,
        "REDIS_URL": redis,
        "SITE_URL": f"https://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "reunification.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            probe = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
            )
            urllib.request.urlopen(probe, timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise CommandError("gunicorn did not start") from None
            time.sleep(0.3)
    server.terminate()
    raise CommandError("gunicorn did not answer")


class Command(BaseCommand):
    help = "Seed this database up to N cases (if needed) and measure it; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--sweep", action="store_true", help="time the deadline sweep too")

    def handle(self, *args, cases, repeat, port, workers, sweep, **options):
        call_command("migrate", verbosity=0)
        have = ReunificationCase.objects.count()
        seeded = have < cases
        if have == 0:
            call_command("seed_demo", stdout=self.stderr)
            have = ReunificationCase.objects.count()
        if have < cases:
            call_command("seed_demo", cases=cases - have, stdout=self.stderr)
        if ensure_deadlines() or seeded:
            # Bulk loading leaves the planner's statistics behind; autovacuum would
            # catch up within minutes in production, so measure as it would then.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        server = start_gunicorn(port, workers)
        try:
            result = measure(repeat, f"http://127.0.0.1:{port}", with_sweep=sweep)
        finally:
            server.terminate()
            server.wait(timeout=30)
        self.stdout.write(json.dumps(result))
