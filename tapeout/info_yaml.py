"""TinyTapeout's info.yaml (yaml_version 6): written from a run, validated
with the rules of TT's project_info.py (TINYTAPEOUT.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass

from .tt_data import tile_sizes

YAML_VERSION = 6
PIN_KEYS = [f"{group}[{bit}]" for group in ("ui", "uo", "uio") for bit in range(8)]
ANALOG_KEYS = [f"ua[{bit}]" for bit in range(6)]


@dataclass(frozen=True)
class ProjectMetadata:
    """What only the user can say about the project."""

    title: str
    author: str
    description: str
    discord: str = ""


class MetadataError(ValueError):
    pass


def check_metadata(metadata: ProjectMetadata) -> None:
    for name in ("title", "author", "description"):
        value = getattr(metadata, name)
        if not isinstance(value, str) or not value.strip():
            raise MetadataError(f"project {name} is missing: give --{name} \"...\" "
                                f"(TinyTapeout requires a non-empty {name})")
        if "\n" in value:
            raise MetadataError(f"project {name} must be one line")


def build_info(metadata: ProjectMetadata, top: str, source: str, clock_hz: int, tiles: str,
               pinout: dict[str, str]) -> dict:
    check_metadata(metadata)
    return {
        "project": {
            "title": metadata.title, "author": metadata.author, "discord": metadata.discord,
            "description": metadata.description, "language": "Amaranth",
            "clock_hz": clock_hz, "tiles": tiles, "top_module": top,
            "source_files": [source],
        },
        "pinout": {key: pinout[key] for key in PIN_KEYS},
        "yaml_version": YAML_VERSION,
    }


def validate_info(info) -> list[str]:
    """Every problem TT's tools would report, in their words; [] when valid."""
    if not isinstance(info, dict):
        return ["info.yaml: expected a mapping at the top level"]
    errors = []
    if info.get("yaml_version") != YAML_VERSION:
        errors.append(f"Unsupported YAML version: {info.get('yaml_version')!r}, "
                      f"expected {YAML_VERSION}")
    project = info.get("project")
    if not isinstance(project, dict):
        return errors + ["Missing 'project' section"]
    for key in ("title", "author", "description", "language"):
        if not isinstance(project.get(key), str) or not project[key].strip():
            errors.append(f"Missing or empty project.{key}")
    if not isinstance(project.get("clock_hz"), int) or isinstance(project.get("clock_hz"), bool):
        errors.append("project.clock_hz must be an integer")
    tiles = project.get("tiles")
    if tiles not in tile_sizes():
        errors.append(f"Invalid value for project.tiles: {tiles!r}, "
                      f"valid values: {', '.join(tile_sizes())}")
    analog = project.get("analog_pins", 0)
    if not isinstance(analog, int) or isinstance(analog, bool) or not 0 <= analog <= 6:
        errors.append("project.analog_pins must be an integer between 0 and 6")
    uses_3v3 = project.get("uses_3v3", False)
    if not isinstance(uses_3v3, bool):
        errors.append("project.uses_3v3 must be a boolean")
    elif uses_3v3 and not analog:
        errors.append("Projects with 3v3 power need at least one analog pin")
    if project.get("language") != "Wokwi":
        top = project.get("top_module")
        if not isinstance(top, str) or not top.startswith("tt_um_"):
            errors.append("Top module must start with 'tt_um_' (e.g. tt_um_my_project)")
        sources = project.get("source_files")
        if not isinstance(sources, list) or not sources:
            errors.append("Missing or empty project.source_files")
        elif any(not isinstance(s, str) or "*" in s for s in sources):
            errors.append("project.source_files entries must be file names without '*'")
    errors += _pinout_errors(info.get("pinout"))
    return errors


def _pinout_errors(pinout) -> list[str]:
    if not isinstance(pinout, dict):
        return ["Missing 'pinout' section"]
    errors = [f"Missing pinout.{key}" for key in PIN_KEYS if key not in pinout]
    allowed = set(PIN_KEYS) | (set(ANALOG_KEYS) if "ua[0]" in pinout else set())
    errors += [f"Invalid key {key!r} in pinout" for key in pinout if key not in allowed]
    if "ua[0]" in pinout:
        errors += [f"Missing pinout.{key}" for key in ANALOG_KEYS if key not in pinout]
    errors += [f"pinout.{key} must be a string" for key, value in pinout.items()
               if not isinstance(value, str)]
    if not errors and not any(pinout[key].strip() for key in PIN_KEYS):
        errors.append("Please fill in the 'pinout' section: no pin is described")
    return errors


#: Template text TT's check_info_md rejects (the sections must be rewritten).
_TEMPLATE_TEXT = ("# How it works\n\nExplain how your project works",
                  "# How to test\n\nExplain how to use your project")


def check_project_folder(folder) -> list[str]:
    """info.yaml and docs/info.md of a TinyTapeout project folder, as TT's
    docs check reads them; [] when both are fine."""
    import yaml
    from pathlib import Path

    folder = Path(folder)
    info_path = folder / "info.yaml" if folder.is_dir() else folder
    folder = info_path.parent
    if not info_path.is_file():
        return [f"{info_path} does not exist"]
    try:
        info = yaml.safe_load(info_path.read_text())
    except yaml.YAMLError as error:
        return [f"info.yaml is not valid YAML: {error}"]
    problems = validate_info(info)
    info_md = folder / "docs" / "info.md"
    if not info_md.is_file():
        problems.append("docs/info.md does not exist")
    elif any(text in info_md.read_text() for text in _TEMPLATE_TEXT):
        problems.append("docs/info.md still has the template text: rewrite How it works / "
                        "How to test")
    return problems
