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
    """Every problem TinyTapeout's info.yaml check (project_info.py, as its
    docs action and CLI run it, pinout required) reports, in its words and
    by its rules, lax ones included (a title of 5 passes; only None and ""
    are missing). [] when valid. Where TinyTapeout's checker crashes (a
    top level, project or pinout that is no mapping, a top_module that is no
    string) and so reports nothing, this says what is wrong instead."""
    if not isinstance(info, dict):
        return ["info.yaml must be a mapping (yaml_version, project, pinout) at the top level"]
    errors = []
    version = info.get("yaml_version")
    if version is None:
        errors.append("Missing 'yaml_version'")
    elif version != YAML_VERSION:
        errors.append(f"Unsupported YAML version: {version}, expected {YAML_VERSION}")
    project = info.get("project")
    if project is None:
        return errors + ["Missing 'project' section"]
    if not isinstance(project, dict):
        return errors + ["The 'project' section must be a mapping of keys"]
    for key in ("title", "author", "description"):
        errors += _required(project, key, f"Project {key} cannot be empty")
    tiles = project.get("tiles")
    if tiles is None:
        errors.append("Missing key 'tiles' in 'project' section")
    elif not _hashable(tiles) or tiles not in tile_sizes():
        errors.append(f"Invalid value for 'tiles' in 'project' section: {tiles}")
    analog = project.get("analog_pins", 0)
    if not isinstance(analog, int):      # TinyTapeout takes a bool for an int too
        errors.append("Invalid value for 'analog_pins' in 'project' section, must be an "
                      "integer")
        analog = 0
    elif not 0 <= analog <= 6:
        errors.append("Invalid value for 'analog_pins' in 'project' section, must be "
                      "between 0 and 6")
        analog = 0
    if project.get("uses_3v3", False) and analog <= 0:
        errors.append("Projects with 3v3 power need at least one analog pin")
    language = project.get("language")
    errors += _required(project, "language", "Project language cannot be empty")
    if language == "Wokwi":
        wokwi_id = project.get("wokwi_id")
        if wokwi_id is None:
            errors.append("Missing key 'wokwi_id' in 'project' section")
        elif wokwi_id in ("", "0"):
            errors.append("Please provide a valid Wokwi project ID")
    elif language not in (None, ""):
        errors += _hdl_errors(project)
    clock_hz = project.get("clock_hz")
    if "clock_hz" not in project:
        errors.append("Missing key 'clock_hz' in 'project' section")
    elif not isinstance(clock_hz, int):
        errors.append("Invalid value for 'clock_hz' in 'project' section, must be an integer")
    if "pinout" not in info:
        errors.append("Missing 'pinout' section")
    else:
        errors += _pinout_errors(info["pinout"])
    return errors


def _hashable(value) -> bool:
    return not isinstance(value, (list, dict))


def _required(section: dict, key: str, empty: str) -> list[str]:
    value = section.get(key)
    if value is None:
        return [f"Missing key '{key}' in 'project' section"]
    return [empty] if value == "" else []


def _hdl_errors(project: dict) -> list[str]:
    errors = []
    top = project.get("top_module")
    if top is None:
        errors.append("Missing key 'top_module' in 'project' section")
    elif not isinstance(top, str) or not top.startswith("tt_um_"):
        errors.append("Top module must start with 'tt_um_' (e.g. tt_um_my_project)")
    if "source_files" not in project:
        errors.append("Missing key 'source_files' in 'project' section")
    elif not project["source_files"]:
        errors.append("No source files specified")
    return errors


def _pinout_errors(pinout) -> list[str]:
    if not isinstance(pinout, dict):
        return ["The 'pinout' section must be a mapping of pins"]
    left = dict(pinout)
    errors, described = [], 0
    for group, count, optional in (("ui", 8, False), ("uo", 8, False), ("uio", 8, False),
                                   ("ua", 6, True)):
        for bit in range(count):
            key = f"{group}[{bit}]"
            if left.get(key) is None:
                if optional and bit == 0:
                    break
                errors.append(f"Missing '{key}' in 'pinout' section")
                continue
            described += left.pop(key) != ""
    if not described:
        errors.append("Please fill in the 'pinout' section")
    if left:
        errors.append(f"Invalid keys {list(left)} in 'pinout' section. Please remove them.")
    return errors


def source_file_errors(folder, project) -> list[str]:
    """TinyTapeout's CLI checks of source_files (tt_tool.py, project.py
    check_sources): no wildcards, each file in src/."""
    from pathlib import Path

    if not isinstance(project, dict) or project.get("language") == "Wokwi":
        return []
    sources = project.get("source_files")
    if not sources:
        return []          # validate_info has said so
    if not isinstance(sources, list):
        return ["'source_files' in 'project' section must be a list of file names in src/"]
    errors = []
    for name in sources:
        if not isinstance(name, str):
            errors.append(f"{name!r} in 'source_files' is not a file name")
        elif "*" in name:
            errors.append("* not allowed, please specify each file")
        elif not (Path(folder) / "src" / name).is_file():
            errors.append(f"{name} doesn't exist in the repo")
    return errors


#: Template text TinyTapeout's docs check rejects, and what it says then.
_TEMPLATE_TEXT = {"# How it works\n\nExplain how your project works":
                  "Missing 'How it works' section in docs/info.md",
                  "# How to test\n\nExplain how to use your project":
                  "Missing 'How to test' section in docs/info.md"}


def check_project_folder(folder) -> list[str]:
    """info.yaml and docs/info.md of a TinyTapeout project folder, as TT's
    docs check reads them, and the source files as its CLI checks them;
    [] when all are fine."""
    from pathlib import Path

    folder = Path(folder)
    info_path = folder / "info.yaml" if folder.is_dir() else folder
    folder = info_path.parent
    info, problems = read_project_info(info_path)
    if problems and problems[0].startswith(("Missing info.yaml file", "Error parsing")):
        return problems                # TinyTapeout's checks stop there too
    info_md = folder / "docs" / "info.md"
    if not info_md.is_file():
        problems.append("Missing docs/info.md file")
    else:
        text = info_md.read_text(errors="replace")
        problems += [message for template, message in _TEMPLATE_TEXT.items()
                     if template in text]
    return problems


def read_project_info(info_path) -> tuple[dict | None, list[str]]:
    """A project's parsed info.yaml and every problem TinyTapeout's info.yaml
    and source-file checks report ([] when it can be used)."""
    import yaml
    from pathlib import Path

    info_path = Path(info_path)
    if not info_path.is_file():
        return None, ["Missing info.yaml file"]
    try:
        info = yaml.safe_load(info_path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [f"Error parsing info.yaml: {first}"]
    problems = validate_info(info)
    if isinstance(info, dict):
        problems += source_file_errors(info_path.parent, info.get("project"))
    return info, problems
