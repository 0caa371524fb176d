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
    #: geometry lines TinyTapeout's pin_check.py would misread or reject
    unreadable_for_tt: list[str] = field(default_factory=list)


def nm(text: str) -> int:
    return round(float(text) * 1000)


def tt_nm(text: str) -> int | None:
    """A LEF number as TinyTapeout's pin_check.py reads it (fixed point, the
    fraction right-justified to three digits), or None where it cannot."""
    whole, dot, fraction = text.partition(".")
    if not dot or not re.fullmatch(r"-?\d+", whole) or not re.fullmatch(r"\d+", fraction):
        return None
    return int(whole + fraction[:3].rjust(3, "0"))


_TT_GEOMETRY = re.compile(r"^(ORIGIN (\S+) (\S+) ;|SIZE (\S+) BY (\S+) ;"
                          r"|RECT (\S+) (\S+) (\S+) (\S+) ;)$")


def _tt_misreads(body: str) -> list[str]:
    """ORIGIN/SIZE/RECT lines whose numbers TT reads differently from their
    value, or that its single-space patterns do not match."""
    problems = []
    for line in body.splitlines():
        line = line.strip()
        if not re.match(r"(ORIGIN|SIZE|RECT)\b", line):
            continue
        match = _TT_GEOMETRY.match(line)
        numbers = [v for v in (match.groups()[1:] if match else ()) if v is not None]
        if match is None or any(tt_nm(v) != nm(v) for v in numbers):
            problems.append(line)
    return problems


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
    macro.unreadable_for_tt = _tt_misreads(body)
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


_GEOMETRY_LINE = re.compile(r"^(\s*)((?:ORIGIN|FOREIGN|SIZE|RECT|POLYGON)\b.*)$", re.M)
_COORDINATE = re.compile(r"^-?\d+(?:\.\d*)?$")


def for_tinytapeout(text: str) -> str:
    """The LEF as TinyTapeout's pin_check.py reads it: in ORIGIN, FOREIGN,
    SIZE, RECT and POLYGON lines every coordinate has exactly three decimals
    and tokens are one space apart. Its ``parse_fp3`` right-justifies the
    fraction ("225.76" reads as 225.076 um, a bare "161" does not parse) and
    its RECT pattern wants single spaces; OpenROAD writes ``RECT  143.83 ...``
    with whole microns bare. Seen failing TT's pin check as written, passing
    after this rewrite."""
    def fix(line: re.Match) -> str:
        tokens = line.group(2).split()
        return line.group(1) + " ".join(
            f"{float(t):.3f}" if _COORDINATE.match(t) and tokens[i - 1] != "MASK" else t
            for i, t in enumerate(tokens))
    return _GEOMETRY_LINE.sub(fix, text)
