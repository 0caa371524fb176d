"""The points of a sweep: a grid (every combination of listed values) or an
explicit list, from --set name=v1,v2 and a TOML/JSON file.

A value that no point can use (rows=99, an unknown name, an empty list) is
bad input and stops the sweep before anything runs; a combination whose
values are each fine but not together (in_width=8 with acc_width=12, which
would suit in_width=4) is reported and skipped."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tapeflow.designs.errors import SpecError

from ..params import ParameterError, build_spec, parse_assignment

#: A sweep of more points than this is almost certainly a typo in a list.
MAX_POINTS = 4096


@dataclass(frozen=True)
class SweepPoint:
    assignments: tuple[str, ...]        # name=value, as `tapeflow run --set` takes them
    spec: object                        # the design's spec type


@dataclass(frozen=True)
class InvalidPoint:
    assignments: tuple[str, ...]
    reason: str


def _text(value) -> str:
    """A config value as --set would spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    raise ParameterError(f"sweep value {value!r}: expected an integer, true/false or text")


def grid_from_options(assignments: list[str]) -> dict[str, list[str]]:
    """--set rows=1,2,4 --set signed=true: each name's list of values."""
    grid: dict[str, list[str]] = {}
    for text in assignments:
        name, raw = parse_assignment(text)
        values = [value.strip() for value in raw.split(",")]
        if not raw or any(not value for value in values):
            raise ParameterError(f"--set {text!r}: expected name=v1,v2,... with no empty "
                                 f"value, e.g. --set rows=1,2,4")
        grid[name] = list(dict.fromkeys(values))
    return grid


def grid_from_config(config: dict) -> tuple[dict[str, list[str]], list[dict] | None]:
    """A file's table: name = value or name = [values] (a grid), or
    points = [{...}, ...] (an explicit list)."""
    points = config.get("points")
    grid = {}
    for name, value in config.items():
        if name == "points":
            continue
        values = value if isinstance(value, list) else [value]
        if not values:
            raise ParameterError(f"sweep file: {name} = []: expected at least one value")
        grid[name] = list(dict.fromkeys(_text(v) for v in values))
    if points is None:
        return grid, None
    if not isinstance(points, list) or not points \
            or not all(isinstance(point, dict) for point in points):
        raise ParameterError("sweep file: points must be a non-empty list of tables of "
                             "parameters")
    return grid, points


def expand(spec_type: type, grid: dict[str, list[str]], points: list[dict] | None = None
           ) -> tuple[list[SweepPoint], list[InvalidPoint]]:
    """Every point of the grid (or each listed point, with the grid's values
    as the fixed part), valid ones first-seen order, duplicates dropped."""
    if points is not None:
        if any(len(values) > 1 for values in grid.values()):
            raise ParameterError("sweep: give either a grid (lists of values) or a points "
                                 "list, not both")
        fixed = [f"{name}={values[0]}" for name, values in grid.items()]
        combos = [tuple(fixed + [f"{k}={_text(v)}" for k, v in point.items()])
                  for point in points]
    else:
        names = list(grid)
        count = 1
        for values in grid.values():
            count *= len(values)
        if count > MAX_POINTS:
            raise ParameterError(f"sweep: {count:,} points (over {MAX_POINTS}); narrow the "
                                 f"lists")
        combos = [tuple(f"{name}={value}" for name, value in zip(names, chosen))
                  for chosen in itertools.product(*(grid[name] for name in names))]
    valid, invalid, seen = [], [], set()
    errors: dict[str, list[str]] = {}        # "name=value" -> reasons of the points it is in
    for combo in combos:
        try:
            spec = build_spec(spec_type, {}, list(combo))
        except SpecError as error:
            invalid.append(InvalidPoint(combo, str(error)))
            for item in combo:
                errors.setdefault(item, []).append(str(error))
            continue
        for item in combo:
            errors.setdefault(item, [])
        if spec in seen:
            continue
        seen.add(spec)
        valid.append(SweepPoint(combo, spec))
    if not valid:
        raise ParameterError("sweep: no valid point"
                             + (f" ({invalid[0].reason})" if invalid else ""))
    for item, reasons in errors.items():
        if reasons and len(reasons) == sum(item in combo for combo in combos):
            raise ParameterError(f"sweep: {item} is in no valid point ({reasons[0]})")
    return valid, invalid
