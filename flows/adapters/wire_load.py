"""The pre-layout wire estimate: a wire-load model measured on a hardened tile.

Before placement there are no wires, and an ideal-wire timing is optimistic
for setup. sky130hd's liberty files carry wire-load tables ("Small" is their
default), but they give a fanout-1 net 0.33 fF (23 um at 0.0142 fF/um) and
74.5 ohm per um, which matches no routed sky130 net. This model is measured
instead: the default design hardened into its 1x2 TinyTapeout tile (56 %
utilization, SiliconCompiler + OpenROAD, typical RC), 1,751 nets, 38,063 um of
wire, 3,018 fF and 66 kohm in all (benchmarks/wire_load_calibration.py prints
the table from any hardened run). Mean wire capacitance per fanout, made
monotone, is expressed as a length at the measured 0.0793 fF/um and
1.73 ohm/um. TinyTapeout tiles are small (161 x 111 um per tile), so their
nets are short; a bigger tile's longer nets would be under-estimated, which
the routed timing (sta-post) then shows.

The estimate only adds delay, so it helps hold checks a little (a few ps at
fanout 1): hold is judged here with it, and again after routing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WireLoad:
    name: str
    capacitance_pf_per_um: float
    resistance_kohm_per_um: float
    fanout_lengths_um: tuple[tuple[int, float], ...]
    slope_um: float            # extra length per fanout beyond the table
    measured_on: str

    def describe(self) -> dict:
        return {"model": self.name, "measured_on": self.measured_on,
                "capacitance_ff_per_um": round(self.capacitance_pf_per_um * 1000, 4),
                "resistance_ohm_per_um": round(self.resistance_kohm_per_um * 1000, 4),
                "fanout_lengths_um": dict(self.fanout_lengths_um),
                "slope_um": self.slope_um}

    def liberty_text(self) -> str:
        """A cell-less liberty library holding only this wire-load table (with
        the thresholds even the 2019 OpenSTA insists on)."""
        lengths = "".join(f"    fanout_length ({fanout}, {length});\n"
                          for fanout, length in self.fanout_lengths_um)
        thresholds = "".join(f"  {name} : {value};\n" for name, value in (
            ("slew_lower_threshold_pct_rise", 20), ("slew_lower_threshold_pct_fall", 20),
            ("slew_upper_threshold_pct_rise", 80), ("slew_upper_threshold_pct_fall", 80),
            ("input_threshold_pct_rise", 50), ("input_threshold_pct_fall", 50),
            ("output_threshold_pct_rise", 50), ("output_threshold_pct_fall", 50)))
        return (f"library ({self.name}) {{\n"
                "  delay_model : table_lookup;\n"
                '  time_unit : "1ns";\n  voltage_unit : "1V";\n  current_unit : "1mA";\n'
                '  pulling_resistance_unit : "1kohm";\n  capacitive_load_unit (1, pf);\n'
                + thresholds
                + f'  wire_load ("{self.name}") {{\n'
                f"    resistance : {self.resistance_kohm_per_um};\n"
                f"    capacitance : {self.capacitance_pf_per_um};\n"
                f"    slope : {self.slope_um};\n"
                + lengths + "  }\n}\n")


WIRE_LOAD = WireLoad(
    name="tapeflow_tt_tile",
    capacitance_pf_per_um=0.0000793,
    resistance_kohm_per_um=0.00173,
    fanout_lengths_um=((1, 7.8), (2, 12.7), (3, 22.4), (4, 53.4), (5, 53.4), (6, 79.4),
                       (7, 79.4), (8, 87.8), (9, 100.3), (10, 139.0), (11, 177.3),
                       (12, 196.0)),
    slope_um=20.0,
    measured_on="systolic 2x1f2 int8/acc20 in TT tile 1x2, routed by OpenROAD "
                "(26Q3-1551), typical RC SPEF")


def wire_load_tcl(work_dir: Path, model: WireLoad = WIRE_LOAD) -> str:
    """OpenSTA commands, after link_design, that apply ``model`` to every net."""
    library = work_dir / f"{model.name}.lib"
    library.write_text(model.liberty_text())
    return (f"read_liberty {{{library}}}\n"
            f"set_wire_load_model -name {model.name} -library {model.name}\n"
            "set_wire_load_mode top\n")
