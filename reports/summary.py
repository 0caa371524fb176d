"""The one screen `tapeflow run` ends with: every stage's status and time,
then the numbers a user looks for first (tile, area, timing per corner,
tests and coverage, throughput)."""

from __future__ import annotations

from .derived import run_clock, timing_corners
from .run_data import RunData


def run_summary(run: RunData) -> str:
    width = max([len(stage.name) for stage in run.stages] + [5])
    total = sum(stage.wall_seconds for stage in run.stages)
    lines = [f"{run.design} {run.tag}: {run.run_dir} ({run.state or 'state not recorded'}, "
             f"{total:.1f} s)", ""]
    for stage in run.stages:
        state = "up to date" if stage.up_to_date else stage.status
        reason = f"  {stage.reason}" if stage.reason and stage.status != "passed" else ""
        lines.append(f"  {stage.name:<{width}} {stage.layer}  {state:<10} "
                     f"{stage.wall_seconds:7.1f} s{reason[:100]}")
    lines.append("")
    lines += [f"  {label:<11}{text}" for label, text in _numbers(run) if text]
    return "\n".join(lines)


def _numbers(run: RunData) -> list[tuple[str, str | None]]:
    value = run.value
    return [("tile", _tile(run)),
            ("cells", f"{value('cell_count'):,} cells, {value('cell_area_um2'):,.0f} µm², "
                      f"{value('registers')} flip-flops" if value("cell_count") else None),
            ("timing", _timing(run)),
            ("tests", _tests(run)),
            ("coverage", _coverage(run)),
            ("throughput", _throughput(run))]


def _tile(run: RunData) -> str | None:
    tile = run.value("tile")
    if tile is None:
        return None
    routed = run.value("postroute_utilization_pct")
    return (f"{tile} at {run.value('tile_utilization')} % of its core (pre-layout)"
            + (f", {routed:.1f} % placed" if routed is not None else ""))


def _timing(run: RunData) -> str | None:
    mhz, _ = run_clock(run)
    corners = timing_corners(run)
    if not corners:
        return None
    # a design without registers has IO paths only: its fmax is theirs
    kind = "reg2reg_" if any(run.value(f"fmax_reg2reg_{c}_mhz") is not None
                             for c in corners) else ""
    fmax = ", ".join(f"{c.split('_')[0]} {run.value(f'fmax_{kind}{c}_mhz') or 0:.0f}"
                     for c in corners)
    setup = min(run.value(f"setup_slack_{c}_ns") for c in corners)
    hold = min(run.value(f"hold_slack_{c}_ns") for c in corners)
    text = (f"{mhz:g} MHz: pre-layout setup {setup:+.2f} ns, hold {hold:+.3f} ns; "
            f"{'reg-to-reg fmax' if kind else 'fmax (no registers: IO paths)'} {fmax} MHz")
    routed_setup = run.value("routed_worst_setup_slack_ns")
    if routed_setup is not None:
        text += (f"; routed ({run.value('signoff_corners')} corners) setup "
                 f"{routed_setup:+.2f} ns, hold {run.value('routed_worst_hold_slack_ns'):+.3f} ns")
    return text


def _tests(run: RunData) -> str | None:
    found = []
    for label, prefix in (("RTL", "rtl"), ("GL icarus", "gl_icarus"),
                          ("GL verilator", "gl_verilator"),
                          ("routed GL icarus", "postroute_gl_icarus"),
                          ("routed GL verilator", "postroute_gl_verilator"),
                          # a TinyTapeout project's own test (test/ Makefile)
                          ("GL", "gl"), ("routed GL", "postroute_gl")):
        run_count = run.value(f"{prefix}_tests_run")
        if run_count is not None:
            found.append(f"{label} {run.value(f'{prefix}_tests_passed')}/{run_count}")
    drc, lvs = run.value("drc_errors"), run.value("lvs_errors")
    if drc is not None:
        found.append(f"DRC {drc}, LVS {lvs} errors")
    return ", ".join(found) or None


def _coverage(run: RunData) -> str | None:
    hit = run.value("functional_coverage_bins_hit")
    if hit is None:
        return None
    line, toggle = run.value("code_coverage_line_percent"), \
        run.value("code_coverage_toggle_percent")
    code = f"; line {line} %, toggle {toggle} %" if line is not None else ""
    return f"functional {hit}/{run.value('functional_coverage_bins_total')} bins{code}"


def _throughput(run: RunData) -> str | None:
    sustained = run.value("sustained_macs_per_cycle_measured") \
        or run.value("sustained_macs_per_cycle_protocol")
    if sustained is None:
        return None
    mhz, _ = run_clock(run)
    return (f"{sustained:g} MACs/cycle sustained (peak {run.value('peak_macs_per_cycle')}) = "
            f"{sustained * mhz:.0f} MMAC/s at {mhz:g} MHz")
