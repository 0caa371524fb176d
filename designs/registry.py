"""The designs tapeflow knows, by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .systolic import SystolicSpec, TinyTapeoutTop
from .tt_project import TtProjectSpec


@dataclass(frozen=True)
class DesignEntry:
    name: str
    spec_type: type
    build_top: Callable     # spec -> Amaranth elaboratable with TT's ports
    summary: str


DESIGNS = {
    "systolic": DesignEntry(
        name="systolic", spec_type=SystolicSpec, build_top=TinyTapeoutTop,
        summary="output-stationary int8 systolic MAC array behind the TT pins"),
}
DEFAULT_DESIGN = "systolic"
#: A user's TinyTapeout repository (`--project DIR`): its spec comes from
#: info.yaml, not from parameters, so it is no entry of DESIGNS.
PROJECT_DESIGN = "tt-project"


class UnknownDesignError(ValueError):
    pass


def get_design(name: str) -> DesignEntry:
    try:
        return DESIGNS[name]
    except KeyError:
        raise UnknownDesignError(f"unknown design {name!r}: known designs are "
                                 f"{', '.join(DESIGNS)}") from None


def spec_from_parameters(design: str, parameters: dict):
    """A run's spec again from the parameters its manifest recorded."""
    if design == PROJECT_DESIGN:
        return TtProjectSpec(**{**parameters,
                                "source_files": tuple(parameters.get("source_files", ()))})
    return get_design(design).spec_type(**parameters)
