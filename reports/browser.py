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
_HEIGHT = re.compile(r'data-page-height="(\d+)"')
#: the tallest page taken in one screenshot (software rendering, --disable-gpu,
#: has no GPU texture limit; 19,300 px measured); a taller one is an error, not a cut
MAX_SCREENSHOT_PX = 60_000


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


def _loaded_page(page: Path, width: int) -> str:
    run = _run(page, "--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},800")
    if not _LOADED.search(run.stdout):
        raise BrowserError(f"Chromium did not finish loading {page}: {run.stderr[-300:]}")
    return run.stdout


def images_loaded(page: Path) -> tuple[int, int]:
    """(loaded, total) images once the page has finished loading."""
    match = _LOADED.search(_loaded_page(page, 1200))
    return int(match.group(1)), int(match.group(2))


def page_height(page: Path, width: int = 1200) -> int:
    """The page's full height in pixels at ``width``, as the page measured it."""
    match = _HEIGHT.search(_loaded_page(page, width))
    if not match:
        raise BrowserError(f"{page} does not report its height (not a tapeflow report?)")
    return int(match.group(1))


def screenshot(page: Path, png: Path, width: int = 1200) -> Path:
    """The whole page, at its real height: never a cut."""
    height = page_height(page, width)
    if height > MAX_SCREENSHOT_PX:
        raise BrowserError(f"{page.name} is {height} px tall, more than the {MAX_SCREENSHOT_PX} "
                           f"px Chromium can take in one screenshot: open it in a browser")
    run = _run(page, f"--screenshot={png.resolve()}", f"--window-size={width},{height}",
               "--virtual-time-budget=5000")
    if not png.is_file():
        raise BrowserError(f"Chromium wrote no screenshot of {page}: {run.stderr[-300:]}")
    return png
