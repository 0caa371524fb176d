"""Where a run lives: one folder per design, parameter set and every run
setting that changes results, so differently configured runs never share
(and never overwrite) a folder."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from .settings import RunSettings

class RunFolderError(ValueError):
    """The run folder cannot be made or written (a bad --build-dir)."""

    @classmethod
    def of(cls, run_dir: Path, error: OSError) -> "RunFolderError":
        return cls(f"cannot use run folder {run_dir}: {error.strerror or error} "
                   f"(choose a writable --build-dir)")


#: Settings that are not part of the folder name, and why:
#: build_root is where the folder goes; pdk_root is where the PDK is installed,
#: whose *content* every stage that reads it has in its fingerprint (an edited
#: or different PDK re-runs those stages), so the same design on two machines
#: gets the same folder name.
LOCATION_SETTINGS = ("build_root", "pdk_root")


def result_settings(settings: RunSettings) -> dict:
    return {field.name: getattr(settings, field.name)
            for field in dataclasses.fields(settings) if field.name not in LOCATION_SETTINGS}


def run_name(design: str, spec, settings: RunSettings) -> str:
    """``<design>-<label>-<6 hex>``: the hash covers the parameters and the
    result settings, e.g. systolic-2x1f2-s8-acc20-1a2b3c."""
    identity = {"parameters": spec.as_dict(), "settings": result_settings(settings)}
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode())
    return f"{design}-{spec.label}-{digest.hexdigest()[:6]}"


def run_directory(design: str, spec, settings: RunSettings) -> Path:
    return settings.build_root / run_name(design, spec, settings)
