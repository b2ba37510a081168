"""Browser tests: Playwright drives Debian's Chromium against the app served on a free port.

Every test here is marked `browser`. Without /usr/bin/chromium they skip, unless REQUIRE_BROWSER=1
(set by CI), where a missing browser is an error. Every page a journey visits must pass
`assert_accessible`; a page loaded but never checked fails the test at teardown."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, Response
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")
_HERE = Path(__file__).resolve().parent
_axe = Axe()
# id(page) -> paths checked by assert_accessible, for the coverage check in `page`.
_checked: dict[int, set[str]] = {}


def _chromium_missing() -> str | None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return f"{CHROMIUM} is not installed (apt-get install chromium chromium-driver)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture launches a browser: skip, or fail when CI requires the browser."""
    if reason := _chromium_missing():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, tmp_path_factory) -> dict:
    # Chromium writes its config and cache under XDG folders: keep them out of $HOME. Passed
    # as `env` because the Playwright driver, not this process, starts the browser.
    xdg = tmp_path_factory.mktemp("xdg")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "XDG_CACHE_HOME": str(xdg / "cache"),
    }
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "env": env,
    }


@pytest.fixture
def app_config() -> dict:
    """The browser sees real behaviour: CSRF tokens are required, as in production."""
    return {"WTF_CSRF_ENABLED": True}


class _QuietHandler(WSGIRequestHandler):
    """Logs errors but not every request line."""

    def log_request(self, code="-", size="-") -> None:
        pass


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on a free port in a daemon thread; yields the base URL.

    The app shares the test database with this thread, so commit test data
    (`db.session.commit()`) before the browser acts on it."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """Playwright's page, plus a check that every HTML page it loaded went through axe."""
    loaded: list[str] = []

    def on_response(response: Response) -> None:
        if (
            response.request.resource_type == "document"
            and response.frame == page.main_frame
            and not 300 <= response.status < 400
            # a file the link downloads is not a page (the link has no download attribute,
            # so that a sign-in page answered instead is shown rather than saved as the file)
            and "attachment" not in (response.headers.get("content-disposition") or "")
        ):
            loaded.append(urlsplit(response.url).path)

    page.on("response", on_response)
    _checked[id(page)] = set()
    yield page
    checked = _checked.pop(id(page))
    call = getattr(request.node, "rep_call", None)
    if call is None or call.passed:  # a failed test has its own report already
        unchecked = sorted(set(loaded) - checked)
        assert not unchecked, f"pages visited without assert_accessible: {unchecked}"


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    page.wait_for_load_state("load")
    violations = _axe.run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if id(page) in _checked:
        _checked[id(page)].add(urlsplit(page.url).path)
    if blocking:
        lines = [f"axe found {len(blocking)} serious or critical violation(s) on {page.url}:"]
        for v in blocking:
            targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
            lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
        pytest.fail("\n".join(lines), pytrace=False)
