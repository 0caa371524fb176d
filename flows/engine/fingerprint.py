"""What a stage's result depends on, as one hash, so an unchanged stage is
not run again: the design parameters, the run settings the stage reads, what
it reads of earlier stages (files by their recorded sha256, metrics by
value), the outside data files it reads, and tapeflow's own source."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

#: Every package of the product: a stage may import any of them (tile-fit
#: reads tapeout's tile table, every stage reports' metric types).
SOURCE_PACKAGES = ("designs", "flows", "verification", "tapeout", "reports")


def source_roots() -> dict[str, Path]:
    import importlib
    return {name: Path(next(iter(importlib.import_module(f"tapeflow.{name}").__path__)))
            for name in SOURCE_PACKAGES}


@lru_cache(maxsize=1)
def source_digest() -> str:
    """One hash over every file of tapeflow's installed packages (code and the
    data shipped beside it): any change re-runs every stage."""
    return tree_digest(source_roots())


def tree_digest(roots: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name, root in roots.items():
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts \
                    and path.suffix not in {".pyc", ".pyo"}:
                digest.update(f"{name}/{path.relative_to(root)}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def stage_fingerprint(stage, spec, settings, read_values: dict[str, str],
                      data_hashes: list[tuple[str, str]]) -> str:
    """``read_values``: for each of the stage's ``reads``, the sha256 of the
    file or the metric's value; ``data_hashes``: its outside data files."""
    used = {name: getattr(settings, name) for name in stage.settings_used}
    data = {
        "stage": stage.name,
        "parameters": spec.as_dict(),
        "settings": {k: str(v) for k, v in sorted(used.items())},
        "reads": dict(sorted(read_values.items())),
        "data": sorted(data_hashes),
        "source": source_digest(),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
