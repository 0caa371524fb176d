"""Just enough LEF for TinyTapeout's pin checks: one macro's origin, size and
pins (direction, use, port rectangles per layer), in nm."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .tile_constraints import Rect

_NUMBER = r"-?\d+(?:\.\d+)?"


class LefError(ValueError):
    pass


@dataclass
class LefPin:
    name: str
    direction: str = ""
    use: str = ""
    rects: list[tuple[str, Rect]] = field(default_factory=list)    # (layer, rect)


@dataclass
class LefMacro:
    name: str
    origin: tuple[str, str] | None = None       # as written (decimal point matters)
    size: tuple[str, str] | None = None
    pins: dict[str, LefPin] = field(default_factory=dict)


def nm(text: str) -> int:
    return round(float(text) * 1000)


def parse_macro(text: str, name: str) -> LefMacro:
    """The MACRO ``name`` block of a LEF file."""
    text = re.sub(r"#.*", "", text)
    match = re.search(rf"^\s*MACRO\s+{re.escape(name)}\s*$(.*?)^\s*END\s+{re.escape(name)}\s*$",
                      text, re.M | re.S)
    if not match:
        raise LefError(f"LEF has no MACRO {name}")
    body = match.group(1)
    macro = LefMacro(name)
    origin = re.search(rf"^\s*ORIGIN\s+({_NUMBER})\s+({_NUMBER})\s*;", body, re.M)
    size = re.search(rf"^\s*SIZE\s+({_NUMBER})\s+BY\s+({_NUMBER})\s*;", body, re.M)
    macro.origin = origin.groups() if origin else None
    macro.size = size.groups() if size else None
    for pin_match in re.finditer(r"^\s*PIN\s+(\S+)\s*$(.*?)^\s*END\s+\1\s*$", body, re.M | re.S):
        pin = LefPin(pin_match.group(1))
        block = pin_match.group(2)
        direction = re.search(r"DIRECTION\s+(\w+)\s*;", block)
        use = re.search(r"USE\s+(\w+)\s*;", block)
        pin.direction = direction.group(1) if direction else ""
        pin.use = use.group(1) if use else ""
        layer = None
        for token in re.finditer(rf"LAYER\s+(\S+)\s*;|RECT\s+({_NUMBER})\s+({_NUMBER})\s+"
                                 rf"({_NUMBER})\s+({_NUMBER})\s*;", block):
            if token.group(1):
                layer = token.group(1)
            elif layer is not None:
                pin.rects.append((layer, tuple(nm(v) for v in token.groups()[1:])))
        macro.pins[pin.name] = pin
    return macro


_GEOMETRY_LINE = re.compile(r"^(\s*(?:ORIGIN|FOREIGN\s+\S+|SIZE|RECT(?:\s+MASK\s+\d+)?|POLYGON)\b)"
                            r"(.*)$", re.M)
_INTEGER = re.compile(r"(?<![\w.])(-?\d+)(?![\w.])")


def with_decimal_points(text: str) -> str:
    """Every coordinate of ORIGIN/FOREIGN/SIZE/RECT/POLYGON written with a
    decimal point: TT's precheck splits LEF numbers on "." (TINYTAPEOUT.md
    5.7), and OpenROAD writes whole microns as bare integers."""
    def fix(line: re.Match) -> str:
        return line.group(1) + _INTEGER.sub(lambda n: f"{int(n.group(1))}.000", line.group(2))
    return _GEOMETRY_LINE.sub(fix, text)
