"""One run at a time per run folder: an exclusive ``flock`` on
``<run>/.lock``, which the kernel releases when the holder exits however it
exits (kill -9 included), so a stale lock cannot exist."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from .run_folder import RunFolderError


class RunFolderBusy(RuntimeError):
    """Another tapeflow process is running in this run folder."""


@contextmanager
def run_folder_lock(run_dir: Path):
    try:
        handle = os.open(run_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise RunFolderError.of(run_dir, error) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "unknown"
            raise RunFolderBusy(
                f"{run_dir} is in use by another tapeflow run (pid {holder}); wait for it to "
                f"finish, or use another --build-dir") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)      # releases the lock
