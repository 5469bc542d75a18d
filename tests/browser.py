"""Serving the app for real and driving Debian's chromium with Playwright.

Under CI (``CI=true``) a missing chromium is a failure; on a user's machine the browser
tests skip with the command that installs it. Never `playwright install`: it downloads
a browser, which this project must not need.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from benchmarks.common import served

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROJECT = Path(__file__).resolve().parent.parent


def need_chromium() -> str:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI: the Makefile's `chromium` target must install it")
    pytest.skip("browser tests need chromium: run `sudo apt-get update && sudo apt-get install -y chromium`")


def serving(*args: str, timeout: float = 120):
    """Run `newsdesk serve` on a free loopback port; yield its URL; stop it after."""
    return served(*args, start_timeout=timeout)


@contextlib.contextmanager
def browser_page():
    from playwright.sync_api import sync_playwright

    executable = need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            yield page
        finally:
            browser.close()
