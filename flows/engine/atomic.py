"""Write files so a reader never sees a half-written one."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.chmod(staged, 0o666 & ~_umask())    # mkstemp makes it private
        os.replace(staged, path)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data) -> None:
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def copy_atomic(source: Path, target: Path) -> Path:
    """Copy a tool's file into the run folder; returns ``target``."""
    staged = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, staged)
    os.replace(staged, target)
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
