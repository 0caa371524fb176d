"""Static timing with OpenSTA (`sta`): run it on a netlist, parse its reports.

Debian bookworm's OpenSTA (2.0.17, 2019) reads the sky130hd liberty and a
Yosys netlist and runs ``report_checks``; newer commands such as
``report_worst_slack -max`` are not there, so the slack comes from the
``report_checks`` text, which every version prints the same way.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_PATH_LINE = re.compile(
    r"^\s*(?:(?P<cap>-?[\d.]+)\s+)?(?P<slew>-?[\d.]+)\s+(?P<delay>-?[\d.]+)\s+(?P<time>-?[\d.]+)"
    r"\s+(?P<edge>[\^v])\s+(?P<pin>\S+)\s+\((?P<cell>[^)]+)\)\s*$")
_SLACK = re.compile(r"^\s*(?P<slack>-?[\d.]+)\s+slack \((?P<state>MET|VIOLATED)\)")
_POINT = re.compile(r"^(Startpoint|Endpoint): (\S+)")
_ARRIVAL = re.compile(r"^\s*(-?[\d.]+)\s+data arrival time")


class StaError(RuntimeError):
    pass


@dataclass
class PathStep:
    pin: str
    cell: str
    edge: str
    delay_ns: float
    time_ns: float


@dataclass
class TimingPath:
    startpoint: str
    endpoint: str
    slack_ns: float
    arrival_ns: float
    steps: list[PathStep] = field(default_factory=list)


def parse_report_checks(text: str) -> list[TimingPath]:
    """Every path ``report_checks`` printed, in order."""
    paths: list[TimingPath] = []
    start = end = None
    steps: list[PathStep] = []
    arrival = None
    for line in text.splitlines():
        point = _POINT.match(line)
        if point:
            if point.group(1) == "Startpoint":
                start, end, steps, arrival = point.group(2), None, [], None
            else:
                end = point.group(2)
            continue
        step = _PATH_LINE.match(line)
        if step and start is not None and arrival is None:
            steps.append(PathStep(step["pin"], step["cell"], step["edge"],
                                  float(step["delay"]), float(step["time"])))
            continue
        arrived = _ARRIVAL.match(line)
        if arrived and arrival is None:
            arrival = float(arrived.group(1))
            continue
        slack = _SLACK.match(line)
        if slack and start is not None:
            paths.append(TimingPath(start, end or "", float(slack["slack"]), arrival or 0.0,
                                    steps))
            start = None
    return paths


@dataclass
class CornerTiming:
    corner: str
    period_ns: float
    setup: TimingPath | None     # worst max-delay path
    hold: TimingPath | None      # worst min-delay path
    report: Path

    @property
    def fmax_mhz(self) -> float | None:
        """The clock at which the worst setup slack would be zero."""
        if self.setup is None:
            return None
        return 1000.0 / (self.period_ns - self.setup.slack_ns)


def _run_script(executable: str, script: Path, report: Path, corner: str,
                timeout_s: int) -> str:
    """OpenSTA on ``script``; its output kept in ``report`` and returned.
    StaError on a failed run or any "Error" line."""
    try:
        run = subprocess.run([executable, "-no_splash", "-exit", str(script)],
                             capture_output=True, text=True, timeout=timeout_s,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StaError(f"OpenSTA could not run the {corner} corner: {error}") from None
    text = run.stdout + run.stderr
    report.write_text(text)
    errors = [line for line in text.splitlines() if line.startswith("Error")]
    if run.returncode != 0 or errors:
        raise StaError(f"OpenSTA failed on the {corner} corner: "
                       f"{errors[0] if errors else f'exit {run.returncode}'} (see {report})")
    return text


def run_sta(netlist: Path, top: str, sdc: Path, liberty: Path, period_ns: float,
            corner: str, work_dir: Path) -> CornerTiming:
    executable = shutil.which("sta")
    if executable is None:
        raise StaError("OpenSTA (`sta`) is not installed: apt-get install opensta")
    work_dir.mkdir(parents=True, exist_ok=True)
    plain_liberty = work_dir / liberty.name.removesuffix(".gz")
    if liberty.suffix == ".gz":     # the 2019 build cannot read gzip
        with gzip.open(liberty, "rb") as packed, open(plain_liberty, "wb") as plain:
            shutil.copyfileobj(packed, plain)
    else:
        shutil.copyfile(liberty, plain_liberty)
    script = work_dir / f"sta_{corner}.tcl"
    report = work_dir / f"timing_{corner}.rpt"
    script.write_text(
        f"read_liberty {plain_liberty}\n"
        f"read_verilog {netlist}\n"
        f"link_design {top}\n"
        f"read_sdc {sdc}\n"
        "report_checks -path_delay max -fields {slew cap} -digits 3\n"
        "report_checks -path_delay min -fields {slew cap} -digits 3\n"
        "report_tns -digits 3\n"
        "report_wns -digits 3\n"
        "exit\n")
    try:
        text = _run_script(executable, script, report, corner, timeout_s=600)
    finally:
        plain_liberty.unlink()
    paths = parse_report_checks(text)
    setup = paths[0] if paths else None
    hold = paths[1] if len(paths) > 1 else None
    return CornerTiming(corner, period_ns, setup, hold, report)


@dataclass(frozen=True)
class StaCorner:
    """One timing corner of a routed design: PVT liberty and RC parasitics."""
    name: str              # e.g. max_ss_100C_1v60
    liberty: Path
    spef: Path | None


@dataclass
class RoutedCornerTiming(CornerTiming):
    setup_tns_ns: float = 0.0
    hold_tns_ns: float = 0.0
    violators: list[str] = field(default_factory=list)    # max slew/cap/fanout lines


_TNS = re.compile(r"^TAPEFLOW_TNS (max|min) (\S+)$", re.M)
_VIOLATOR = re.compile(r"^\s*(\S+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+\(VIOLATED\)\s*$",
                       re.M)


def run_routed_sta(executable: str, netlist: Path, top: str, sdc: Path,
                   corners: list[StaCorner], period_ns: float, work_dir: Path
                   ) -> list[RoutedCornerTiming]:
    """Each corner in its own OpenSTA session (a few seconds each): the
    routed netlist with propagated clocks and the corner's SPEF; worst setup
    and hold path, TNS, and the max slew/capacitance/fanout violators."""
    work_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for corner in corners:
        script = work_dir / f"sta_{corner.name}.tcl"
        report = work_dir / f"timing_{corner.name}.rpt"
        script.write_text(
            f"read_liberty {{{corner.liberty}}}\n"
            f"read_verilog {{{netlist}}}\n"
            f"link_design {top}\n"
            f"read_sdc {{{sdc}}}\n"
            "set_propagated_clock [all_clocks]\n"
            + (f"read_spef {{{corner.spef}}}\n" if corner.spef else "")
            + "report_checks -path_delay max -fields {slew cap} -digits 3\n"
            "report_checks -path_delay min -fields {slew cap} -digits 3\n"
            "puts \"TAPEFLOW_TNS max [sta::format_time [sta::total_negative_slack_cmd max] 3]\"\n"
            "puts \"TAPEFLOW_TNS min [sta::format_time [sta::total_negative_slack_cmd min] 3]\"\n"
            "report_check_types -max_slew -max_capacitance -max_fanout -violators -digits 3\n"
            "exit\n")
        text = _run_script(executable, script, report, corner.name, timeout_s=900)
        paths = parse_report_checks(text)
        tns = {kind: float(value) for kind, value in _TNS.findall(text)}
        violators = [f"{pin}: required {req}, actual {actual}, slack {slack}"
                     for pin, req, actual, slack in _VIOLATOR.findall(text)]
        results.append(RoutedCornerTiming(
            corner.name, period_ns, paths[0] if paths else None,
            paths[1] if len(paths) > 1 else None, report,
            tns.get("max", 0.0), tns.get("min", 0.0), violators))
    return results
