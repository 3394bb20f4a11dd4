"""Benchmark the main pages and the nightly run at several sizes.

Each size gets its own database, kept between runs so it is seeded only once:
with DATABASE_URL pointing at PostgreSQL, databases named <name>_bench_<size>;
otherwise SQLite files bench-<size>.sqlite3. Each size is measured in its own
process, against its own database.
"""

import datetime
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


def table(results: list[dict], day: str) -> str:
    sizes = [r["size"] for r in results]
    first, last = results[0], results[-1]
    lines = [
        f"Measured {day} on {first['database']}. Each page over HTTP through gunicorn "
        "(DEBUG off, production settings), signed in as a person of the role: the median "
        "of repeated requests in milliseconds; its queries and the peak memory it "
        "allocates (KB) measured with the same request in the benchmark's process. "
        f"Ratio: the median at {sizes[-1]:,} cases over the median at {sizes[0]:,}.",
        "",
        "| role | page | "
        + " | ".join(f"{s:,} cases: queries / median ms / peak KB" for s in sizes)
        + " | ratio |",
        "|---|---|" + "---|" * len(sizes) + "---|",
    ]
    for index, page in enumerate(first["pages"]):
        cells = []
        for result in results:
            m = result["pages"][index]
            cells.append(f"{m['queries']} / {m['median_ms']:.0f} / {m['peak_kb']:,}")
        ratio = last["pages"][index]["median_ms"] / max(page["median_ms"], 0.1)
        lines.append(
            f"| {page['role']} | `{page['name']}` | " + " | ".join(cells) + f" | {ratio:.2f} |"
        )
    for index, run in enumerate(first["nightly"]):
        cells = [
            f"{r['nightly'][index]['seconds']} s, {r['nightly'][index]['emails']} emails"
            for r in results
        ]
        lines.append(
            f"| nightly | reminder run, {run['workers']} worker(s) | " + " | ".join(cells) + " | |"
        )
    if all(r["sweep"] for r in results):
        cells = [
            f"{r['sweep']['seconds']} s, {r['sweep']['queries']:,} queries, "
            f"{r['sweep']['cases']:,} cases"
            for r in results
        ]
        lines.append("| nightly | deadline sweep | " + " | ".join(cells) + " | |")
    lines.append("")
    lines.append(
        "Open cases of the measured social worker: "
        + ", ".join(f"{r['worker_cases']} at {r['size']:,}" for r in results)
        + ". Deadlines: "
        + ", ".join(f"{r['deadlines']:,} at {r['size']:,}" for r in results)
        + "."
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Measure every main page of every role over HTTP through gunicorn (DEBUG off), "
        "and the nightly run with one and two workers, at each size."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--output", default="bench-results/bench.md")
        parser.add_argument("--port", type=int, default=8000, help="for the gunicorn measured")
        parser.add_argument("--sweep", action="store_true", help="time the deadline sweep too")

    def handle(self, *args, sizes, repeat, output, port, sweep, **options):
        results = []
        for size in (int(s) for s in sizes.split(",")):
            self.stderr.write(f"Measuring {size:,} cases...")
            env = {**os.environ, "DATABASE_URL": database_url_for(size), "DEBUG": "1"}
            # The seeding runs without a broker (tasks run at once); the production
            # server measured needs Redis, and gets it as BENCH_REDIS_URL.
            env["BENCH_REDIS_URL"] = env.pop("REDIS_URL", "") or env.get("BENCH_REDIS_URL", "")
            done = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "bench_size",
                    "--cases",
                    str(size),
                    "--repeat",
                    str(repeat),
                    "--port",
                    str(port),
                    *(["--sweep"] if sweep else []),
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
        text = table(results, datetime.date.today().isoformat())
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text + "\n")
        self.stdout.write(text)
