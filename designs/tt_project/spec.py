"""What tapeflow takes from a TinyTapeout repository's info.yaml: the top,
the sources, the declared tiles and clock. TinyTapeout's own rules for the
file are checked by the caller (tapeout.info_yaml), in TinyTapeout's words;
this reads what the flow needs and says what makes a folder no TT project."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..tt_ports import TT_PORTS

VERILOG_SUFFIXES = (".v", ".sv", ".vh", ".svh")


class ProjectError(ValueError):
    """A folder that is not a TinyTapeout project tapeflow can run."""


@dataclass(frozen=True)
class TtProjectSpec:
    project_dir: str                  # absolute path of the repository
    top_name: str                     # info.yaml top_module
    source_files: tuple[str, ...]     # info.yaml source_files, in src/, in order
    tiles: str                        # the tile info.yaml declares, e.g. "1x2"
    clock_hz: int                     # 0: "not applicable" in TinyTapeout's words
    language: str

    def as_dict(self) -> dict:
        values = dataclasses.asdict(self)
        values["source_files"] = list(self.source_files)
        return values

    @property
    def folder(self) -> Path:
        return Path(self.project_dir)

    @property
    def sources(self) -> list[Path]:
        return [self.folder / "src" / name for name in self.source_files]

    @property
    def test_dir(self) -> Path:
        return self.folder / "test"

    @property
    def declared_tile(self) -> str:
        return self.tiles

    @property
    def label(self) -> str:
        return self.top_name.removeprefix("tt_um_")[:40] or "project"

    @property
    def tag(self) -> str:
        digest = hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode())
        return f"{self.label}-{digest.hexdigest()[:6]}"

    def shrink_hint(self, cell_area: float, budget: float) -> str:
        return (f"the design needs {cell_area:,.0f} um^2 of cells, more than the largest "
                f"tile's {budget:,.0f} um^2 at the target density")


def load_project(folder: Path, info: dict) -> TtProjectSpec:
    """The spec of the TinyTapeout project in ``folder`` whose parsed
    info.yaml (already valid by TinyTapeout's rules) is ``info``."""
    project = info["project"]
    if project.get("language") == "Wokwi" or "wokwi_id" in project:
        raise ProjectError(f"{folder}: a Wokwi project has no HDL sources to run; "
                           f"tapeflow runs Verilog and SystemVerilog projects")
    top = project["top_module"]
    if not re.fullmatch(r"tt_um_[A-Za-z0-9_]{1,94}", top):
        raise ProjectError(f"{folder}/info.yaml: top_module {top[:120]!r} is not a Verilog "
                           f"identifier of at most 100 characters (letters, digits, _)")
    sources = tuple(project["source_files"])
    foreign = [name for name in sources if not name.endswith(VERILOG_SUFFIXES)]
    if foreign:
        raise ProjectError(f"{folder}: source file {foreign[0]} is not Verilog or "
                           f"SystemVerilog (.v, .sv); tapeflow runs HDL projects")
    if not (folder / "test" / "Makefile").is_file():
        raise ProjectError(f"{folder}: no test/Makefile: a TinyTapeout project's tests live "
                           f"in test/ as the template lays them out (cocotb, make)")
    clock = project.get("clock_hz")
    if isinstance(clock, bool) or not isinstance(clock, int) or clock < 0:
        raise ProjectError(f"{folder}/info.yaml: clock_hz {clock!r} is not a frequency in Hz")
    spec = TtProjectSpec(str(folder.resolve()), top, sources,
                         str(project["tiles"]), clock, str(project.get("language", "")))
    missing = missing_ports(spec)
    if missing:
        raise ProjectError(f"{folder}: module {spec.top_name} is not in its source_files "
                           f"or lacks TinyTapeout's ports ({missing}); start from "
                           f"TinyTapeout's template project.v")
    return spec


def missing_ports(spec: TtProjectSpec) -> str | None:
    """What of TinyTapeout's 8 ports the top module's header lacks (a text
    check: Verilator's lint and synthesis later read it properly)."""
    header = None
    for path in spec.sources:
        text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", path.read_text(errors="replace"), flags=re.S)
        found = re.search(rf"\bmodule\s+{re.escape(spec.top_name)}\b(.*?\));", text, re.S)
        if found:
            header = found.group(1)
            break
    if header is None:
        return "no such module"
    absent = [port for port in TT_PORTS if not re.search(rf"\b{port}\b", header)]
    return ", ".join(absent) + " missing" if absent else None
