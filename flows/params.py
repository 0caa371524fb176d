"""Design parameters from the command line (--set name=value) and config files."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

from tapeflow.designs.errors import SpecError


class ParameterError(ValueError):
    """A parameter assignment or config file that cannot be used."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ParameterError(f"--set {text!r}: expected name=value, e.g. --set rows=4")
    return name.strip(), value.strip()


def load_config(path: Path) -> dict:
    """Parameters from a TOML or JSON file: a flat table of name = value."""
    if not path.is_file():
        raise ParameterError(f"config file {path} does not exist")
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text())
        else:
            data = tomllib.loads(path.read_text())
    except OSError as error:
        raise ParameterError(f"config file {path} cannot be read: {error.strerror}") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        # ValueError covers both decoders' errors and a 5000-digit integer
        raise ParameterError(f"config file {path} is not valid "
                             f"{'JSON' if path.suffix == '.json' else 'TOML'}: "
                             f"{str(error)[:160] or type(error).__name__}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"config file {path} must hold a table of parameters")
    return data


def build_spec(spec_type: type, config: dict, assignments: list[str]):
    """The spec from defaults, then the config file, then --set (last wins)."""
    fields = {f.name: f for f in dataclasses.fields(spec_type)}
    values: dict = {}
    for name, value in config.items():
        values[_known(name, fields)] = value
    for text in assignments:
        name, raw = parse_assignment(text)
        name = _known(name, fields)
        values[name] = _convert(name, raw, fields[name].type)
    try:
        return spec_type(**values)
    except TypeError as error:
        raise ParameterError(str(error)) from None


def _known(name: str, fields: dict) -> str:
    if name not in fields:
        raise ParameterError(f"unknown parameter {name!r}; known parameters: {', '.join(fields)}")
    return name


def _convert(name: str, raw: str, annotation) -> object:
    kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if kind == "bool":
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise SpecError(name, raw, "true or false")
    if kind == "int":
        try:
            return int(raw, 0)
        except ValueError:
            raise SpecError(name, raw, "an integer") from None
    return raw
