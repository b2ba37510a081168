"""Benchmark the main pages on the large demo centre against a bare Flask page, in one run.

    .venv/bin/python bench/pages_bench.py              # SQLite file under bench/out/
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/pages_bench.py --postgres

Steps: build the database once (schema, bundled scenarios, `flask demo --scale large`); serve
the app (bench/floor_app.py: wsgi's app plus the app-floor page) and bench/bare_app.py with
gunicorn, 2 sync workers each, loopback only, --no-control-socket; sign in through the real
login form as each role; measure every page with wrk (or a threaded Python client when wrk is
missing) for a few seconds; print page, req/s, p50/p99 latency and ratio = bare req/s / page
req/s over slices that alternate with the bare page (target: at most 2), and write the table to
bench/out/results-<database>.md. The first row, the app floor, is the bare page's work inside
the signed-in app: the least any page can cost.

PostgreSQL: use a database of its own (the test suite drops and recreates the tables of the
one it runs on)."""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PASSWORD = "portfolio-demo"
TARGET_RATIO = 2.0


@dataclass
class Page:
    label: str
    role: str  # learner | assessor | iqa | admin | bare
    rule: str  # the url_map rule the page is served by
    values: dict


@dataclass
class Result:
    page: Page
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    note: str = ""
    cpu_ms: float = 0.0  # worker CPU time per request


# --- the database ---------------------------------------------------------------------------------


def prepare_database(env: dict, fresh: bool, sqlite_path: Path | None) -> float | None:
    """Build the schema and the large demo once; returns the generator's seconds when it ran."""
    if fresh and sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    create = (
        "from portfolio import create_app\n"
        "from portfolio.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
    )
    subprocess.run([sys.executable, "-c", create], cwd=ROOT, env=env, check=True)
    subprocess.run([*flask, "scenarios", "load"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    demo = subprocess.run(
        [*flask, "demo", "--scale", "large"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    print(demo.stdout.rstrip())
    return None if "exists already" in demo.stdout else time.monotonic() - started


def discover(env: dict) -> tuple[list[Page], dict[str, str], list[str]]:
    """The pages to measure (those the app serves), the e-mail to sign in as for each role, and
    notes on pages skipped. Runs in a child process so this one stays small."""
    command = [sys.executable, str(ROOT / "bench" / "targets.py")]
    run = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    found = json.loads(run.stdout)
    ids = found["ids"]
    wanted = [
        FLOOR,
        Page("Learner dashboard", "learner", "/dashboard", {}),
        Page("Learner portfolio", "learner", "/portfolio/<int:portfolio_id>", ids),
        Page("Learner tracking grid", "learner", "/portfolio/<int:portfolio_id>/grid", ids),
        Page("Case: referral", "learner", "/cases/<int:case_id>", ids),
        Page("Case: log", "learner", "/cases/<int:case_id>/log", ids),
        Page("Learner's cases", "learner", "/cases/", {}),
        Page("Notifications", "learner", "/notifications/", {}),
        Page("Assessor dashboard", "assessor", "/dashboard", {}),
        Page("Assessor queue", "assessor", "/assess/", {}),
        Page("Assessor caseload", "assessor", "/assess/caseload", {}),
        Page("IQA plans", "iqa", "/iqa/", {}),
        Page("IQA sampling plan", "iqa", "/iqa/plans/<int:plan_id>", ids),
        Page("Admin dashboard", "admin", "/dashboard", {}),
        Page("Centre users", "admin", "/centre/users", {}),
        Page("Allocating learners", "admin", "/centre/allocation", {}),
        Page("Cohorts", "admin", "/centre/cohorts", {}),
        Page("Cohort members", "admin", "/centre/cohorts/<int:cohort_id>", ids),
        Page("Exercises", "admin", "/exercises/", {}),
        Page("Exercise live board", "admin", "/exercises/<int:exercise_id>", ids),
        Page("Cohort tracking grid", "admin", "/reports/cohorts/<int:cohort_id>", ids),
        Page("Library", "admin", "/library/", {}),
    ]
    rules = {*found["rules"], FLOOR.rule}
    pages = [p for p in wanted if p.rule in rules]
    skipped = [f"{p.label} ({p.rule}): not served yet" for p in wanted if p not in pages]
    return pages, found["emails"], skipped


def path_of(page: Page) -> str:
    path = page.rule
    for name, value in page.values.items():
        path = path.replace(f"<int:{name}>", str(value))
    return path


# --- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, port: int, env: dict, chdir: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--no-control-socket",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(chdir),
        "--pythonpath",
        f"{ROOT},{ROOT / 'bench'}",
        "--log-level",
        "warning",
        target,
    ]
    return subprocess.Popen(command, env=env, cwd=chdir)


def wait_until_up(base: str, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{base}{path} did not come up within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_TICK = os.sysconf("SC_CLK_TCK")


def worker_cpu(master: subprocess.Popen) -> float:
    """CPU seconds used so far by a gunicorn master's workers (Linux /proc). Unlike req/s, CPU
    per request hardly moves when other processes load the machine."""
    try:
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def timed(load, server: subprocess.Popen):
    """Run the load and add the server's worker CPU per request to what it returns."""

    def run(url, cookie, seconds, connections):
        before = worker_cpu(server)
        rps, p50, p99, errors, requests = load(url, cookie, seconds, connections)
        used = worker_cpu(server) - before
        return rps, p50, p99, errors, (1000 * used / requests if requests else 0.0)

    return run


# --- signing in -----------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, email: str) -> str:
    """Sign in with the real form (GET for the CSRF token, POST the fields); returns the
    session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(base + "/auth/login", timeout=10) as response:
        html = response.read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if match is None:
        raise SystemExit("No csrf_token on the login page")
    form = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": match.group(1)}
    ).encode()
    try:
        opener.open(base + "/auth/login", data=form, timeout=20)
        raise SystemExit(f"Signing in as {email} did not redirect: wrong password?")
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise SystemExit(f"Signing in as {email} answered {exc.code}") from exc
    session = next((c.value for c in jar if c.name == "session"), None)
    if session is None:
        raise SystemExit(f"No session cookie after signing in as {email}")
    return session


def check(base: str, path: str, cookie: str | None) -> tuple[int, int]:
    """Status and size of one GET, without following redirects (a redirect to the sign-in
    page must not pass for a measured page)."""
    connection = http.client.HTTPConnection(*base.removeprefix("http://").split(":"), timeout=60)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, len(body)


# --- load -----------------------------------------------------------------------------------------


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url: str, cookie: str | None, seconds: int, connections: int) -> tuple:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return rps, p50, p99, errors, requests


def run_python(url: str, cookie: str | None, seconds: int, connections: int) -> tuple:
    """A threaded keep-alive client, for machines without wrk."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", parts.path or "/", headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    if not latencies:
        return 0.0, 0.0, 0.0, errors[0], 0
    cut = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return len(latencies) / seconds, cut[49], cut[98], errors[0], len(latencies)


@dataclass
class Pair:
    """A page measured in alternation with the bare page, so that both see the same load on
    a shared machine: the ratio compares figures taken at the same time."""

    page: Result
    bare: Result

    @property
    def ratio(self) -> float:
        return self.bare.rps / self.page.rps if self.page.rps else float("inf")

    @property
    def cpu_ratio(self) -> float:
        return self.page.cpu_ms / self.bare.cpu_ms if self.bare.cpu_ms else float("nan")


def measure_pair(app, bare, page, cookie, seconds, connections, rounds=2):
    """`app` and `bare` are (base URL, load function timed on that server)."""
    (app_base, app_load), (bare_base, bare_load) = app, bare
    path = path_of(page)
    status, size = check(app_base, path, cookie)
    if status != 200:
        failed = Result(page, 0.0, 0.0, 0.0, 1, f"GET answered {status}: not measured")
        return Pair(failed, Result(BARE, 0.0, 0.0, 0.0, 0))
    app_load(app_base + path, cookie, 1, connections)  # warm both workers
    slice_ = max(1, round(seconds / rounds))
    page_runs, bare_runs = [], []
    for _ in range(rounds):
        bare_runs.append(bare_load(bare_base + "/", None, slice_, connections))
        page_runs.append(app_load(app_base + path, cookie, slice_, connections))
    return Pair(_combine(page, page_runs, f"{size / 1024:.0f} KB"), _combine(BARE, bare_runs))


def _combine(page: Page, runs: list[tuple], note: str = "") -> Result:
    return Result(
        page,
        statistics.mean(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        max(r[2] for r in runs),
        sum(r[3] for r in runs),
        note,
        statistics.mean(r[4] for r in runs),
    )


BARE = Page("Bare Flask page (1 query, 50 rows)", "bare", "/", {})
# The bare page's query and rows inside the app, signed in: what every page pays before its own
# work (bench/floor_app.py).
FLOOR = Page("App floor (signed in, layout, 1 query, 50 rows)", "learner", "/bench/floor", {})


# --- report ---------------------------------------------------------------------------------------


def table(pairs: list[Pair]) -> list[str]:
    lines = [
        "| Page | Path | req/s | p50 ms | p99 ms | bare req/s | ratio | CPU ms/req | CPU ratio | |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for pair in pairs:
        r = pair.page
        flag = "ok" if pair.ratio <= TARGET_RATIO else "OVER"
        if r.errors or pair.bare.errors:
            flag += f", {r.errors + pair.bare.errors} errors"
        lines.append(
            f"| {r.page.label} | `{path_of(r.page)}` | {r.rps:.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {pair.bare.rps:.0f} | {pair.ratio:.2f} | {r.cpu_ms:.1f} | "
            f"{pair.cpu_ratio:.2f} | {flag}; {r.note} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run on DATABASE_URL")
    parser.add_argument("--seconds", type=int, default=8, help="seconds per page (default 8)")
    parser.add_argument("--rounds", type=int, default=4, help="slices per page (default 4)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite database")
    parser.add_argument(
        "--only", help="measure only pages whose label contains one of these (comma-separated)"
    )
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 40)}
    env.pop("PORTFOLIO_DEMO", None)
    sqlite_path = None
    if args.postgres:
        if not env.get("DATABASE_URL", "").startswith("postgres"):
            raise SystemExit("--postgres needs DATABASE_URL=postgresql+psycopg://...")
        label = "PostgreSQL"
    else:
        sqlite_path = OUT / "bench.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
        label = "SQLite"
    generated = prepare_database(env, args.fresh, sqlite_path)
    pages, emails, skipped = discover(env)
    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",")]
        pages = [p for p in pages if any(w in p.label.lower() for w in wanted)]
    use_wrk = shutil.which("wrk") and not args.python_client
    load = run_wrk if use_wrk else run_python

    app_port, bare_port = free_port(), free_port()
    app_server = start_gunicorn("floor_app:app", app_port, env, ROOT)
    bare_server = start_gunicorn("bare_app:app", bare_port, env, ROOT / "bench")
    pairs: list[Pair] = []
    try:
        app_base, bare_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
        wait_until_up(app_base, "/auth/login")
        wait_until_up(bare_base, "/")
        cookies = {role: sign_in(app_base, email) for role, email in emails.items()}
        load(bare_base + "/", None, 1, args.connections)  # warm the bare workers
        app = (app_base, timed(load, app_server))
        bare = (bare_base, timed(load, bare_server))
        for page in pages:
            pair = measure_pair(
                app, bare, page, cookies[page.role], args.seconds, args.connections, args.rounds
            )
            pairs.append(pair)
            print(
                f"{page.label}: {pair.page.rps:.0f} req/s (bare {pair.bare.rps:.0f}), "
                f"ratio {pair.ratio:.2f}, CPU {pair.page.cpu_ms:.1f} ms/req "
                f"(bare {pair.bare.cpu_ms:.1f}), CPU ratio {pair.cpu_ratio:.2f}",
                flush=True,
            )
    finally:
        stop(app_server)
        stop(bare_server)
    client = f"wrk -t2 -c{args.connections}" if use_wrk else "Python client"
    bare_all = [p.bare.rps for p in pairs if p.bare.rps]
    lines = [
        f"## {label}",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; gunicorn 2 sync workers each; {client}; each "
        f"page measured for {args.seconds} s in {args.rounds} slices alternating with the bare "
        f"page; ratio = bare req/s / page req/s over the same slices (target at most "
        f"{TARGET_RATIO:g}). Bare page: {min(bare_all, default=0):.0f}-"
        f"{max(bare_all, default=0):.0f} req/s across the run. CPU ms/req: the app's gunicorn "
        "workers' CPU time per request (on SQLite it includes the database's work; on "
        "PostgreSQL the server's is not counted); CPU ratio = page's / bare page's, steadier "
        "than req/s when other work shares the machine.",
        "",
        *table(pairs),
    ]
    if generated is not None:
        lines += ["", f"`flask demo --scale large` took {generated:.0f} s on this database."]
    if skipped:
        lines += ["", "Skipped:", *[f"- {s}" for s in skipped]]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    (OUT / f"results-{label.lower()}.md").write_text(text)
    parts = [(OUT / f"results-{n}.md") for n in ("sqlite", "postgresql")]
    (OUT / "results.md").write_text(
        "# Page benchmark\n\n" + "\n".join(p.read_text() for p in parts if p.exists())
    )
    return 1 if any(p.ratio > TARGET_RATIO for p in pairs) else 0


if __name__ == "__main__":
    sys.exit(main())
