"""Static timing with OpenSTA (`sta`): run it on a netlist, parse its reports.

Debian bookworm's OpenSTA (2.0.17, 2019) reads the sky130hd liberty and a
Yosys netlist and runs ``report_checks``; newer commands such as
``report_worst_slack -max`` are not there, so the slack comes from the
``report_checks`` text, which every version prints the same way. Besides the
worst paths overall, every session reports the worst path of each path class
(register to register, input to register, register to output, input to
output), whose fmax is solved with the IO delays scaling with the period.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .tt_sdc import TtSdc

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


@dataclass(frozen=True)
class PathClass:
    """Timing paths grouped by where they start and end. ``io_delays`` is how
    many of TinyTapeout's period-proportional IO delays the path carries: its
    slack grows by (1 - io_delays x IO fraction) per ns of period, which is
    what its fmax is solved from."""
    name: str
    label: str
    start: str           # report_checks -from, in Tcl
    end: str             # report_checks -to
    io_delays: int


_INPUTS = "$tapeflow_data_inputs"
PATH_CLASSES = (
    PathClass("reg2reg", "register to register", "[all_registers -clock_pins]",
              "[all_registers -data_pins]", 0),
    PathClass("in2reg", "input to register", _INPUTS, "[all_registers -data_pins]", 1),
    PathClass("reg2out", "register to output", "[all_registers -clock_pins]",
              "[all_outputs]", 1),
    PathClass("in2out", "input to output", _INPUTS, "[all_outputs]", 2),
)
_CLASS_MARK = re.compile(r"^TAPEFLOW_PATHS (\S+) (max|min)$", re.M)


@dataclass
class ClassTiming:
    path_class: PathClass
    setup: TimingPath | None
    hold: TimingPath | None
    fmax_mhz: float | None


@dataclass
class CornerTiming:
    corner: str
    period_ns: float
    setup: TimingPath | None     # worst max-delay path
    hold: TimingPath | None      # worst min-delay path
    report: Path
    classes: dict[str, ClassTiming] = field(default_factory=dict)

    @property
    def fmax_mhz(self) -> float | None:
        """The clock at which every path class meets setup (IO delays scaling
        with the period, as TinyTapeout's SDC sets them); without classes, the
        clock at which the worst setup slack would be zero."""
        found = [c.fmax_mhz for c in self.classes.values() if c.fmax_mhz is not None]
        if found:
            return min(found)
        if self.setup is None:
            return None
        return 1000.0 / (self.period_ns - self.setup.slack_ns)


def class_fmax_mhz(slack_ns: float, period_ns: float, io_delays: int,
                   io_fraction: float) -> float | None:
    """The clock at which a path with ``slack_ns`` at ``period_ns`` has zero
    slack: required time minus arrival grows by (1 - io_delays x io_fraction)
    per ns of period (an input delay of io_fraction x period at its start, an
    output delay at its end). 0 where no clock meets it: the IO delays alone
    take the whole period."""
    growth = 1.0 - io_delays * io_fraction
    period = period_ns - slack_ns / growth if growth > 0 else 0.0
    return 1000.0 / period if period > 0 else 0.0


def class_commands(clock_port: str) -> str:
    """Tcl that reports the worst setup and hold path of every path class,
    each after a marker line the parser splits on."""
    lines = [f"set tapeflow_data_inputs [delete_from_list [all_inputs] "
             f"[get_ports {clock_port}]]"]
    for path_class in PATH_CLASSES:
        for delay in ("max", "min"):
            lines.append(f'puts "TAPEFLOW_PATHS {path_class.name} {delay}"')
            # a class with no start or end points (no registers: a purely
            # combinational design) has no paths; report_checks would fail
            lines.append(f"if {{[llength {path_class.start}] && [llength {path_class.end}]}} "
                         f"{{report_checks -path_delay {delay} -from {path_class.start} "
                         f"-to {path_class.end} -fields {{slew cap}} -digits 3}}")
    return "\n".join(lines) + "\n"


def split_classes(text: str, period_ns: float, io_fraction: float
                  ) -> tuple[str, dict[str, ClassTiming]]:
    """(the report before the class sections, each class's worst paths)."""
    marks = list(_CLASS_MARK.finditer(text))
    head = text[:marks[0].start()] if marks else text
    found: dict[str, dict[str, TimingPath | None]] = {}
    for mark, following in zip(marks, marks[1:] + [None]):
        body = text[mark.end():following.start() if following else len(text)]
        paths = parse_report_checks(body)
        found.setdefault(mark.group(1), {})[mark.group(2)] = paths[0] if paths else None
    by_name = {c.name: c for c in PATH_CLASSES}
    classes = {}
    for name, checks in found.items():
        path_class = by_name[name]
        setup = checks.get("max")
        fmax = (class_fmax_mhz(setup.slack_ns, period_ns, path_class.io_delays, io_fraction)
                if setup else None)
        classes[name] = ClassTiming(path_class, setup, checks.get("min"), fmax)
    return head, classes


def _timing(corner: str, report: Path, text: str,
            constraints: TtSdc) -> tuple[CornerTiming, str]:
    period_ns = constraints.period_ns
    head, classes = split_classes(text, period_ns, constraints.io_delay_fraction)
    paths = parse_report_checks(head)
    return (CornerTiming(corner, period_ns, paths[0] if paths else None,
                         paths[1] if len(paths) > 1 else None, report, classes), head)


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


@dataclass(frozen=True)
class StaDesign:
    """What every corner's OpenSTA session reads: the netlist, its top, the
    SDC file and the constraints it was written from (clock, IO delays)."""
    netlist: Path
    top: str
    sdc: Path
    constraints: TtSdc
    #: supply ports of a powered netlist: no signals, so no fanout limit (their
    #: "fanout" counts the pins of fill and tap cells, which have no timing)
    supplies: tuple[str, ...] = ()


def _read_design(liberty: Path, design: StaDesign) -> str:
    """The Tcl that starts every session: the corner's cells, the netlist, the SDC."""
    return (f"read_liberty {{{liberty}}}\n"
            f"read_verilog {{{design.netlist}}}\n"
            f"link_design {design.top}\n"
            f"read_sdc {{{design.sdc}}}\n")


def run_sta(design: StaDesign, corner: str, liberty: Path, work_dir: Path,
            estimate_tcl: str = "") -> CornerTiming:
    """Pre-layout timing at one corner: ideal clock, ``estimate_tcl`` for the
    wires (a wire-load model), worst paths overall and per path class."""
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
        _read_design(plain_liberty, design)
        + estimate_tcl
        + "report_checks -path_delay max -fields {slew cap} -digits 3\n"
        "report_checks -path_delay min -fields {slew cap} -digits 3\n"
        + class_commands(design.constraints.clock_port)
        + "exit\n")
    try:
        text = _run_script(executable, script, report, corner, timeout_s=600)
    finally:
        plain_liberty.unlink()
    return _timing(corner, report, text, design.constraints)[0]


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


def run_routed_sta(executable: str, design: StaDesign, corners: list[StaCorner],
                   work_dir: Path) -> list[RoutedCornerTiming]:
    """Each corner in its own OpenSTA session (a few seconds each): the
    routed netlist with propagated clocks and the corner's SPEF; worst setup
    and hold path overall and per path class, TNS, and the max
    slew/capacitance/fanout violators."""
    work_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for corner in corners:
        script = work_dir / f"sta_{corner.name}.tcl"
        report = work_dir / f"timing_{corner.name}.rpt"
        script.write_text(
            _read_design(corner.liberty, design)
            + "set_propagated_clock [all_clocks]\n"
            + (f"read_spef {{{corner.spef}}}\n" if corner.spef else "")
            + "report_checks -path_delay max -fields {slew cap} -digits 3\n"
            "report_checks -path_delay min -fields {slew cap} -digits 3\n"
            "puts \"TAPEFLOW_TNS max [sta::format_time [sta::total_negative_slack_cmd max] 3]\"\n"
            "puts \"TAPEFLOW_TNS min [sta::format_time [sta::total_negative_slack_cmd min] 3]\"\n"
            "report_check_types -max_slew -max_capacitance -max_fanout -violators -digits 3\n"
            + class_commands(design.constraints.clock_port)
            + "exit\n")
        text = _run_script(executable, script, report, corner.name, timeout_s=900)
        timing, head = _timing(corner.name, report, text, design.constraints)
        tns = {kind: float(value) for kind, value in _TNS.findall(head)}
        violators = [f"{pin}: required {req}, actual {actual}, slack {slack}"
                     for pin, req, actual, slack in _VIOLATOR.findall(head)
                     if pin not in design.supplies]
        results.append(RoutedCornerTiming(
            timing.corner, timing.period_ns, timing.setup, timing.hold, report,
            timing.classes, tns.get("max", 0.0), tns.get("min", 0.0), violators))
    return results
