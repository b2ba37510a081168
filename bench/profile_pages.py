"""Time the main pages in one process, without a server: CPU ms per request for each page and
for the bare page, through Flask's test client, on the benchmark's database. Quicker than
pages_bench.py and steadier on a busy machine (process CPU time, not req/s); for finding where
a page's time goes, not for the README's figures.

    .venv/bin/python bench/profile_pages.py                    # every page, ratio to bare
    .venv/bin/python bench/profile_pages.py --profile caseload # cProfile of the matching pages
    .venv/bin/python bench/profile_pages.py --queries          # and the SQL each page runs

Needs the database pages_bench.py builds (bench/out/bench.sqlite3, or DATABASE_URL)."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'out' / 'bench.sqlite3'}")

from pages_bench import PASSWORD, discover, path_of  # noqa: E402


def sign_in(client, email: str) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    answer = client.post(
        "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, f"signing in as {email}: {answer.status_code}"


def cpu_ms(client, path: str, n: int) -> float:
    client.get(path)  # warm
    start = time.process_time()
    for _ in range(n):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return 1000 * (time.process_time() - start) / n


def statements_of(app, client, path: str) -> list[str]:
    """The SQL one request for `path` sends to the database, in order."""
    import sqlalchemy as sa

    from portfolio.extensions import db

    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", help="cProfile the pages whose label contains this")
    parser.add_argument("-n", type=int, default=200, help="requests per page")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--only", help="only pages whose label contains one of these (a,b)")
    args = parser.parse_args()

    pages, emails, _ = discover(dict(os.environ))
    import bare_app
    from floor_app import app  # the app with the app-floor page; freezes the collector

    bare = bare_app.app.test_client()
    floor = cpu_ms(bare, "/", args.n)
    print(f"{'bare page':32} {floor:7.2f} ms")
    clients = {}
    for page in pages:
        if args.only and not any(w in page.label.lower() for w in args.only.lower().split(",")):
            continue
        if args.profile and args.profile.lower() not in page.label.lower():
            continue
        if page.role not in clients:
            clients[page.role] = app.test_client()
            sign_in(clients[page.role], emails[page.role])
        client, path = clients[page.role], path_of(page)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            cpu_ms(client, path, args.n)
            profiler.disable()
            print(f"--- {page.label} {path}")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            ms = cpu_ms(client, path, args.n)
            print(f"{page.label:32} {ms:7.2f} ms  {ms / floor:5.2f}x  {path}")
        if args.queries:
            for n, sql in enumerate(statements_of(app, client, path), 1):
                print(f"    {n}. {' '.join(sql.split())[:150]}")


if __name__ == "__main__":
    main()
