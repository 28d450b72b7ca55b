"""The browser walk's fixtures: the app served on a free localhost port, Debian's Chromium driven by Playwright.

The server is a second app built on the test database (the session's ``app`` fixture seeds and restores it),
as in production: CSRF on, not in testing mode, served by a threaded werkzeug server in this process (so
a test can set the app's clock). The browser is ``/usr/bin/chromium`` (``.ci/run`` installs Debian's package
when it is missing); Playwright never downloads one. Every page records console errors, uncaught page
errors and any request to a host other than localhost (aborted); ``Walk.check`` fails on any of them.
"""
from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
GUIDES = Path(__file__).resolve().parents[2] / "app" / "static" / "guides"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    from werkzeug.serving import make_server

    from app import create_app

    served = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ACCOUNT_SUFFIX": "badinh",
        "DISTRICT_NAME": "Quận Ba Đình",
        "INSTANCE_DIR": app.config["INSTANCE_DIR"],  # one instance folder, as several servers share one
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "e2e-" + "k" * 40,
    })
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line a request otherwise
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with served.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's screenshots only
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


class Walk:
    """One person's browser (a context of its own) with the walk's checks and numbered screenshots."""

    counter = 0

    def __init__(self, browser, base_url: str, who: str):
        self.base_url = base_url
        self.who = who
        self.problems: list[str] = []
        self.hosts: set[str] = set()
        self.context = browser.new_context(base_url=base_url, locale="vi-VN", accept_downloads=True,
                                           viewport={"width": 1280, "height": 860})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"{who}: page error: {exc}"))
        self.page.set_default_timeout(15_000)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return route.continue_()
        host = parts.hostname or ""
        self.hosts.add(host)
        if host not in LOCAL_HOSTS:
            self.problems.append(f"{self.who}: request to another host: {url}")
            return route.abort()
        return route.continue_()

    def _console(self, msg):
        if msg.type == "error":
            self.problems.append(f"{self.who}: console error on {self.page.url}: {msg.text}")

    def shot(self, name: str, guide_names=()) -> Path:
        """Screenshot the page as artifacts/NN-name.png; also app/static/guides/name.png when a guide uses it."""
        Walk.counter += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{Walk.counter:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if name in guide_names:
            GUIDES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, GUIDES / f"{name}.png")
        return path

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def walk(browser, live_server):
    opened: list[Walk] = []

    def open_(who: str) -> Walk:
        w = Walk(browser, live_server, who)
        opened.append(w)
        return w

    yield open_
    for w in opened:
        w.close()
