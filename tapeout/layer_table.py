"""sky130 layer names and colours from KLayout's layer-properties file (.lyp)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def lyp_entries(lyp: Path) -> tuple[tuple[str, tuple[int, int], str], ...]:
    """(name, (layer, datatype), fill colour) of every layer a KLayout
    layer-properties file defines by number, in its order. The name is the
    part before " - " (sky130A.lyp writes "met1.drawing - 68/20")."""
    entries = []
    for props in ET.parse(lyp).getroot().iter("properties"):
        source = (props.findtext("source") or "").split("@")[0]
        if "/" not in source:
            continue
        layer, datatype = source.split("/")
        try:
            key = (int(layer), int(datatype))
        except ValueError:
            continue
        entries.append(((props.findtext("name") or source).split(" - ")[0], key,
                        props.findtext("fill-color") or "#888888"))
    return tuple(entries)


def layer_colours(lyp: Path) -> dict[tuple[int, int], tuple[str, str]]:
    """(layer, datatype) -> (fill colour, name); a later definition of a layer wins."""
    return {key: (fill, name) for name, key, fill in lyp_entries(lyp)}


def layer_names(lyp: Path | None) -> dict[tuple[int, int], str]:
    return {key: name for key, (_, name) in layer_colours(lyp).items()} if lyp else {}
