"""What a stage's result depends on, as one hash, so an unchanged stage is
not run again: the design parameters, the run settings the stage reads, the
files its needed stages produced (by their recorded sha256), and tapeflow's
own source."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

_SOURCE_SUFFIXES = {".py", ".v", ".tcl"}


@lru_cache(maxsize=1)
def source_digest() -> str:
    """One hash over tapeflow's installed source: any code change re-runs every stage."""
    import tapeflow.designs
    import tapeflow.flows
    import tapeflow.verification
    roots = [Path(next(iter(package.__path__))) for package in
             (tapeflow.designs, tapeflow.flows, tapeflow.verification)]
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def stage_fingerprint(stage, spec, settings, input_hashes: dict[str, str]) -> str:
    """``input_hashes``: sha256 of each file the stage's needs produced."""
    used = {name: getattr(settings, name) for name in stage.settings_used}
    data = {
        "stage": stage.name,
        "parameters": spec.as_dict(),
        "settings": {k: str(v) for k, v in sorted(used.items())},
        "inputs": dict(sorted(input_hashes.items())),
        "source": source_digest(),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
