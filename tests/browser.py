"""Serving the app for real and driving Debian's chromium with Playwright.

Under CI (``CI=true``) a missing chromium is a failure; on a user's machine the browser
tests skip with the command that installs it. Never `playwright install`: it downloads
a browser, which this project must not need.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.common import served

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROJECT = Path(__file__).resolve().parent.parent


INSTALL = "sudo apt-get update && sudo apt-get install -y chromium fonts-noto-core"


def need_chromium() -> str:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI: the Makefile's `chromium` target must install it")
    pytest.skip(f"browser tests need chromium: run `{INSTALL}`")


def need_bangla_fonts() -> None:
    """Bangla glyphs need a Bengali font (Debian fonts-noto-core: Noto Sans Bengali)."""
    listed = subprocess.run(["fc-list", ":lang=bn", "family"], capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout.strip():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("no Bengali font under CI: the Makefile's `chromium` target must install fonts-noto-core")
    pytest.skip(f"Bangla rendering needs a Bengali font: run `{INSTALL}`")


def rendering_fonts(page, selector: str) -> dict[str, int]:
    """The fonts chromium really drew an element's text with, and how many glyphs each:
    a character no font has is drawn as a box from a fallback, which shows here."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: int(f["glyphCount"]) for f in fonts}


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
