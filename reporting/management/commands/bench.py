"""Benchmark the main pages and the nightly run at several sizes.

Each size gets its own database, kept between runs so it is seeded only once:
with DATABASE_URL pointing at PostgreSQL, databases named <name>_bench_<size>;
otherwise SQLite files bench-<size>.sqlite3. Each size is measured in its own
process, against its own database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def database_url_for(size: int) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        name = f"{config['NAME']}_bench_{size}"
        _create_postgres_database(config, name)
        return url.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{settings.BASE_DIR / f'bench-{size}.sqlite3'}"


def _create_postgres_database(config, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def table(results: list[dict]) -> str:
    sizes = [r["size"] for r in results]
    lines = [
        f"Database: {results[0]['database']}. Times are the median / 95th percentile of "
        "repeated requests through Django's test client, in milliseconds.",
        "",
        "| page | " + " | ".join(f"{s:,} cases: queries, median, p95" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for index, page in enumerate(results[0]["pages"]):
        cells = []
        for result in results:
            m = result["pages"][index]
            cells.append(f"{m['queries']}, {m['median_ms']:.0f}, {m['p95_ms']:.0f}")
        lines.append(f"| `{page['name']}` | " + " | ".join(cells) + " |")
    nightly = [
        f"{r['nightly']['queries']} queries, {r['nightly']['seconds']} s, "
        f"{r['nightly']['emails']} emails"
        for r in results
    ]
    lines.append("| nightly reminder run | " + " | ".join(nightly) + " |")
    lines.append("")
    lines.append(
        "Caseload of the measured social worker: "
        + ", ".join(f"{r['worker_cases']} at {r['size']:,}" for r in results)
        + "."
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Measure the main pages and the nightly run at 1,000, 10,000 and 100,000 cases."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--output", default="bench-results/bench.md")

    def handle(self, *args, sizes, repeat, output, **options):
        results = []
        for size in (int(s) for s in sizes.split(",")):
            self.stderr.write(f"Measuring {size:,} cases...")
            env = {**os.environ, "DATABASE_URL": database_url_for(size), "DEBUG": "1"}
            env.pop("REDIS_URL", None)
            done = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "bench_size",
                    "--cases",
                    str(size),
                    "--repeat",
                    str(repeat),
                ],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise CommandError(f"Measuring {size} cases failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["size"] = size
            results.append(result)
        text = table(results)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text + "\n")
        self.stdout.write(text)
