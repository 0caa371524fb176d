"""Headless Chromium: a screenshot of a report, and whether its images loaded."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# Chromium's background services try the network at every start, which this
# kind of machine refuses; these flags keep it to the page.
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--hide-scrollbars"]
_LOADED = re.compile(r'data-images-loaded="(\d+)/(\d+)"')


class BrowserError(RuntimeError):
    pass


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(page: Path, *args: str) -> subprocess.CompletedProcess:
    executable = chromium()
    if executable is None:
        raise BrowserError("headless Chromium not found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([executable, *_FLAGS, f"--user-data-dir={profile}", *args,
                               page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)


def images_loaded(page: Path) -> tuple[int, int]:
    """(loaded, total) images once the page has finished loading."""
    run = _run(page, "--dump-dom", "--virtual-time-budget=5000")
    match = _LOADED.search(run.stdout)
    if not match:
        raise BrowserError(f"Chromium did not finish loading {page}: {run.stderr[-300:]}")
    return int(match.group(1)), int(match.group(2))


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 4000) -> Path:
    run = _run(page, f"--screenshot={png.resolve()}", f"--window-size={width},{height}",
               "--virtual-time-budget=5000")
    if not png.is_file():
        raise BrowserError(f"Chromium wrote no screenshot of {page}: {run.stderr[-300:]}")
    return png
