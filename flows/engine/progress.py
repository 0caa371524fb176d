"""Progress lines for stages: what a slow one is doing, how long it has been
at it, and how long it took the last time."""

from __future__ import annotations

import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path


class Activity:
    """What a stage says it is doing ("icarus: simulating"), optionally with
    a count read from a file that grows one line per finished item (the
    regression's per-test stats)."""

    def __init__(self):
        self._text, self._count_lines, self._total, self._log = "", None, None, None
        self._lock = threading.Lock()

    def set(self, text: str, count_lines: Path | None = None, total: int | None = None,
            log: tuple[Path, re.Pattern] | None = None) -> None:
        """``count_lines`` + ``total``: "test k of n" from a file's lines;
        ``log``: a tool's log and the pattern whose last match (group 1) says
        which step it is in."""
        with self._lock:
            self._text, self._count_lines, self._total, self._log = \
                text, count_lines, total, log

    def describe(self) -> str:
        with self._lock:
            text, count_lines, total, log = \
                self._text, self._count_lines, self._total, self._log
        if count_lines is not None and total is not None:
            try:
                done = sum(1 for _ in count_lines.open())
            except OSError:
                done = 0
            return f"{text} test {min(done + 1, total)} of {total}"
        if log is not None:
            step = _last_match(*log)
            return f"{text} {step}" if step else text
        return text


def _last_match(path: Path, pattern: re.Pattern) -> str | None:
    try:
        with open(path, "rb") as stream:
            stream.seek(max(0, path.stat().st_size - 16384))
            tail = stream.read().decode(errors="replace")
    except OSError:
        return None
    found = pattern.findall(tail)
    return found[-1] if found else None


class Progress:
    def __init__(self, stream=None, heartbeat_seconds: float = 10.0):
        self.stream = stream or sys.stderr
        self.heartbeat_seconds = heartbeat_seconds

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @contextmanager
    def stage(self, index: int, total: int, name: str, layer: str,
              last_seconds: float | None = None, activity: Activity | None = None):
        """Announce a stage; while it runs, say every few seconds what it is
        doing, for how long, and against the last run's time."""
        took = f", took {last_seconds:.0f} s last time" if last_seconds else ""
        self.say(f"[{index}/{total}] {name} ({layer}){took} ...")
        started = time.monotonic()
        finished = threading.Event()

        def beat():
            while not finished.wait(self.heartbeat_seconds):
                elapsed = time.monotonic() - started
                doing = activity.describe() if activity else ""
                left = ""
                if last_seconds:
                    left = (f", ~{last_seconds - elapsed:.0f} s left" if elapsed < last_seconds
                            else f", longer than last time ({last_seconds:.0f} s)")
                self.say(f"      {name}: {doing + ', ' if doing else ''}{elapsed:.0f} s{left}")

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            finished.set()
            thread.join()
