"""Verilator lint of the generated Verilog, warnings parsed per code."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tapeflow.flows.adapters.tools import tool_environment

_MESSAGE = re.compile(r"^%(?P<severity>Warning|Error)(?:-(?P<code>[A-Z0-9_]+))?: "
                      r"(?P<where>[^ ]+?:\d+:\d+:)? ?(?P<text>.*)$")


@dataclass
class LintFinding:
    severity: str
    code: str
    location: str
    text: str


@dataclass
class LintResult:
    returncode: int
    findings: list[LintFinding] = field(default_factory=list)

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity == "Error"]

    @property
    def warnings(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity == "Warning"]

    def warning_counts(self) -> dict[str, int]:
        return dict(Counter(f.code for f in self.warnings).most_common())


def lint_verilog(sources: list[Path], top: str, log: Path) -> LintResult:
    """``verilator --lint-only -Wall``; warnings do not stop it (-Wno-fatal)."""
    command = ["verilator", "--lint-only", "-Wall", "-Wno-fatal", "--top-module", top,
               *map(str, sources)]
    run = subprocess.run(command, capture_output=True, text=True, env=tool_environment())
    log.write_text(" ".join(command) + "\n" + run.stdout + run.stderr)
    return LintResult(run.returncode, parse_lint_output(run.stderr))


def parse_lint_output(text: str) -> list[LintFinding]:
    findings = []
    for line in text.splitlines():
        match = _MESSAGE.match(line)
        if match and not match["text"].startswith("Exiting due to"):
            findings.append(LintFinding(match["severity"], match["code"] or "ERROR",
                                        (match["where"] or "").rstrip(":"), match["text"]))
    return findings
