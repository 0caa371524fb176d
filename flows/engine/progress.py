"""Progress lines for stages, with a heartbeat for the slow ones."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager


class Progress:
    def __init__(self, stream=None, heartbeat_seconds: float = 10.0):
        self.stream = stream or sys.stderr
        self.heartbeat_seconds = heartbeat_seconds

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @contextmanager
    def stage(self, index: int, total: int, name: str, layer: str):
        """Announce a stage; while it runs, say every few seconds that it still does."""
        self.say(f"[{index}/{total}] {name} ({layer}) ...")
        started = time.monotonic()
        finished = threading.Event()

        def beat():
            while not finished.wait(self.heartbeat_seconds):
                self.say(f"      {name}: still running, {time.monotonic() - started:.0f} s")

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            finished.set()
            thread.join()
