"""sky130 layer names and colours from KLayout's layer-properties file (.lyp)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def layer_colours(lyp: Path) -> dict[tuple[int, int], tuple[str, str]]:
    """(layer, datatype) -> (fill colour, name) from a KLayout layer-properties file."""
    colours = {}
    for props in ET.parse(lyp).getroot().iter("properties"):
        source = (props.findtext("source") or "").split("@")[0]
        if "/" not in source:
            continue
        layer, datatype = source.split("/")
        try:
            key = (int(layer), int(datatype))
        except ValueError:
            continue
        colours[key] = (props.findtext("fill-color") or "#888888",
                        (props.findtext("name") or source).split(" - ")[0])
    return colours


def layer_names(lyp: Path | None) -> dict[tuple[int, int], str]:
    return {key: name for key, (_, name) in layer_colours(lyp).items()} if lyp else {}
