"""TinyTapeout precheck's KLayout decks, run as its precheck.py runs them:
from TAPEFLOW_TT_ROOT (tt-support-tools/precheck/tech-files), never copied —
the decks are GPL-3.0 and tapeflow is Apache-2.0 — with KLayout in batch
mode, the same variables, one report database each; a check fails on any
item in its report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .tt_data import tt_root

DECKS_DIR = Path("tt-support-tools/precheck/tech-files")


class DeckUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Deck:
    check: str                 # TinyTapeout's name of the check
    script: str                # file in tech-files/
    switch: str                # the variable that turns the check on
    #: precheck.py gives this deck the top cell and every core
    names_top: bool = False


#: TinyTapeout's KLayout checks of a sky130A tile (precheck.py main()).
DECKS = (
    Deck("KLayout FEOL", "sky130A_mr.drc", "feol"),
    Deck("KLayout BEOL", "sky130A_mr.drc", "beol"),
    Deck("KLayout offgrid", "sky130A_mr.drc", "offgrid"),
    Deck("KLayout pin label overlapping drawing",
         "pin_label_purposes_overlapping_drawing.rb.drc",
         "pin_label_purposes_overlapping_drawing"),
    Deck("KLayout zero area", "zeroarea.rb.drc", "zero_area"),
    Deck("urpm/nwell check", "nwell_urpm.drc", "nwell_urpm", names_top=True),
)
DECK_BY_CHECK = {deck.check: deck for deck in DECKS}


def klayout() -> str | None:
    return shutil.which("klayout")


def run_deck(deck: Deck, gds: Path, top: str, work_dir: Path) -> list[str]:
    """The deck on ``gds``: its violations as "category: count" lines, []
    when clean. DeckUnavailable without KLayout or the deck."""
    executable = klayout()
    if executable is None:
        raise DeckUnavailable("KLayout not found (apt-get install klayout)")
    script = tt_root() / DECKS_DIR / deck.script
    if not script.is_file():
        raise DeckUnavailable(f"TinyTapeout's deck {script} is missing")
    work_dir.mkdir(parents=True, exist_ok=True)
    report = work_dir / f"drc_{deck.switch}.xml"
    # one thread, as precheck.py runs sky130A_mr.drc (a KLayout bug otherwise)
    variables = {deck.switch: "true", "input": str(gds.resolve()), "thr": "1"}
    if deck.names_top:
        variables |= {"thr": str(os.cpu_count() or 1), "top_cell": top}
    variables |= {"report": str(report), "report_file": str(report)}
    command = [executable, "-b", "-r", str(script)]
    for name, value in variables.items():
        command += ["-rd", f"{name}={value}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                         stdin=subprocess.DEVNULL)
    (work_dir / f"drc_{deck.switch}.log").write_text(run.stdout + run.stderr)
    if run.returncode != 0 or not report.is_file():
        return [f"KLayout {deck.switch} failed (exit {run.returncode}, see "
                f"{work_dir / f'drc_{deck.switch}.log'})"]
    return report_items(report)


def report_items(report: Path) -> list[str]:
    """Violations per category of a KLayout report database (.lyrdb XML)."""
    counts: dict[str, int] = {}
    for item in ET.parse(report).getroot().iter("item"):
        category = (item.findtext("category") or "?").strip("'")
        counts[category] = counts.get(category, 0) + 1
    return [f"{category}: {count}" for category, count in counts.items()]
