"""Helpers for the browser tests: find Chromium and Playwright, serve a folder, block the network.

The tests skip with a clear message when Chromium or Playwright is missing, except when the
environment variable REQUIRE_BROWSER_TESTS=1 is set (``.ci/run`` sets it): then they fail.
"""
import functools
import http.server
import os
import shutil
import socket
import threading
import time
from urllib.parse import urlparse

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def skip_or_fail(reason):
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER_TESTS=1: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def chromium_path():
    """Path of the Debian ``chromium`` binary (or $CHROMIUM), or skip/fail."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        skip_or_fail("Chromium is missing: `apt-get install chromium` (Debian) to run the browser tests")
    return path


def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        skip_or_fail("Playwright for Python is missing: `pip install -r requirements.txt`")
    return start


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    slow = {}   # path suffix -> seconds to wait before answering

    def log_message(self, *args):
        pass

    def do_GET(self):
        for suffix, seconds in self.slow.items():
            if self.path.split("?")[0].endswith(suffix):
                time.sleep(seconds)
        super().do_GET()


def serve(directory, slow=None):
    """Serve ``directory`` on 127.0.0.1 in a daemon thread; returns (base_url, server).

    ``slow`` maps path suffixes to seconds: those files are answered late, as on a loaded machine, while
    the server's other threads answer every other request at once.
    """
    handler = type("Handler", (_QuietHandler,), {"slow": dict(slow or {})})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def block_network(context, blocked):
    """Abort every request whose host is not 127.0.0.1, appending its URL to ``blocked``."""

    def elsewhere(url):
        return not url.startswith(("data:", "blob:", "about:")) and urlparse(url).hostname != "127.0.0.1"

    def abort(route):
        blocked.append(route.request.url)
        route.abort()

    context.route(elsewhere, abort)
