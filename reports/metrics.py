"""The one schema for every number a stage records.

Stages create Metric objects; the manifest and the reports only read them.
``source`` names what produced the number and ``file`` the run-folder file
it was read from, so every number can be traced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Layer(str, Enum):
    L5 = "L5"   # hardware architecture
    L6 = "L6"   # RTL & logic design
    L7 = "L7"   # physical implementation
    L8 = "L8"   # fabrication & packaging


@dataclass(frozen=True)
class Metric:
    name: str
    value: float | int | str | bool
    unit: str
    layer: Layer
    source: str            # the tool (or definition) that produced it
    file: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["layer"] = self.layer.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Metric":
        return cls(data["name"], data["value"], data["unit"], Layer(data["layer"]),
                   data["source"], data.get("file"))
