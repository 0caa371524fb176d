"""Post-route numbers from SC's metrics and the OpenROAD/OpenSTA reports SC
writes, on sample report text written from the documented formats."""

from pathlib import Path

import pytest

from tapeflow.flows.adapters.postroute import (SC_POSTROUTE, antenna_violations, corner_results,
                                      power_watts, sc_values, scene_value)

SETUP_PATH = """\
Startpoint: _412_ (rising edge-triggered flip-flop clocked by clk)
Endpoint: _398_ (rising edge-triggered flip-flop clocked by clk)
Path Group: clk
Path Type: max

  Delay    Time   Description
---------------------------------------------------------
   0.00    0.00   clock clk (rise edge)
   0.45    0.45   clock network delay (propagated)
   0.00    0.45 ^ _412_/CLK (sky130_fd_sc_hd__dfxtp_1)
   0.52    0.97 v _412_/Q (sky130_fd_sc_hd__dfxtp_1)
   0.31    1.28 ^ _300_/Y (sky130_fd_sc_hd__nand2_1)
           1.28   data arrival time

  20.00   20.00   clock clk (rise edge)
           19.30   data required time
---------------------------------------------------------
           19.30   data required time
           -1.28   data arrival time
---------------------------------------------------------
           18.02   slack (MET)
"""

POWER = """\
Group                  Internal  Switching    Leakage      Total
                          Power      Power      Power      Power (Watts)
----------------------------------------------------------------
Sequential             1.21e-04   1.33e-05   2.01e-09   1.34e-04  57.9%
Combinational          4.10e-05   5.20e-05   3.10e-09   9.30e-05  40.1%
Clock                  0.00e+00   4.60e-06   0.00e+00   4.60e-06   2.0%
Macro                  0.00e+00   0.00e+00   0.00e+00   0.00e+00   0.0%
Pad                    0.00e+00   0.00e+00   0.00e+00   0.00e+00   0.0%
----------------------------------------------------------------
Total                  1.62e-04   6.99e-05   5.11e-09   2.32e-04 100.0%
                          70.0%      30.0%       0.0%
"""

ANTENNA_LOG = """\
[INFO DRT-0198] Complete detail routing.
[INFO ANT-0002] Found 3 net violations.
[INFO ANT-0001] Found 4 pin violations.
[INFO GRT-0012] Found 3 antenna violations.
[INFO GRT-0015] Inserted 5 diodes.
[INFO ANT-0002] Found 0 net violations.
[INFO ANT-0001] Found 0 pin violations.
"""


def write_scene(reports: Path, corner: str, files: dict[str, str]) -> None:
    folder = reports / "timing" / "scenarios" / corner
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / f"{name}.{corner}.rpt").write_text(text)


def test_per_corner_slack_tns_and_fmax(tmp_path):
    write_scene(tmp_path, "slow", {"worst_slack.setup": "worst slack max -2.500\n",
                                   "total_negative_slack.setup": "tns max -31.750\n",
                                   "worst_slack.hold": "worst slack min 0.412\n",
                                   "total_negative_slack.hold": "tns min 0.000\n"})
    write_scene(tmp_path, "typical", {"worst_slack.setup": "worst slack max 11.204\n",
                                      "total_negative_slack.setup": "tns max 0.000\n"})
    write_scene(tmp_path, "fast", {"setup": SETUP_PATH})   # OpenROAD without scene slack
    slow, typical, fast = corner_results(tmp_path, ("slow", "typical", "fast"), 20.0)
    assert (slow.setup_slack_ns, slow.setup_tns_ns, slow.hold_slack_ns, slow.hold_tns_ns) \
        == (-2.5, -31.75, 0.412, 0.0)
    assert slow.fmax_mhz == round(1000 / 22.5, 2)
    assert typical.fmax_mhz == round(1000 / (20 - 11.204), 2) and typical.hold_slack_ns is None
    assert fast.setup_slack_ns == 18.02 and fast.setup_tns_ns is None


def test_infinite_or_missing_slack_is_no_number():
    assert scene_value("worst slack max INF\n") is None
    assert scene_value("worst slack max 1e+30\n") is None
    assert scene_value("") is None


def test_power_total_row():
    assert power_watts(POWER) == {"internal": 1.62e-04, "switching": 6.99e-05,
                                  "leakage": 5.11e-09, "total": 2.32e-04}
    assert power_watts("no table") is None


def test_antenna_verdict_is_the_last_check():
    assert antenna_violations(ANTENNA_LOG) == {"nets": 0, "pins": 0}
    assert antenna_violations(ANTENNA_LOG.rsplit("[INFO GRT", 1)[0]) == {"nets": 3, "pins": 4}
    assert antenna_violations("routing done\n") is None


def test_sc_metrics_are_read_from_the_node_that_owns_them():
    recorded = {("setupwns", "write.views"): -0.5, ("fmax", "write.views"): 47.1e6,
                ("wirelength", "route.detailed"): 12345.6, ("drcs", "route.detailed"): 0,
                ("wirelength", "write.views"): 1.0}
    values = {m.name: v for m, v in
              sc_values(lambda name, step: recorded.get((name, step))).items()}
    assert values == {"postroute_setup_wns_ns": -0.5, "postroute_fmax_mhz": 47.1,
                      "postroute_wirelength_um": 12345.6, "postroute_route_drcs": 0}
    assert len({m.name for m in SC_POSTROUTE}) == len(SC_POSTROUTE)


@pytest.mark.parametrize("metric", SC_POSTROUTE, ids=lambda m: m.name)
def test_every_sc_metric_name_exists_in_sc_schema(metric):
    pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")
    from siliconcompiler.metrics.asic import ASICMetricsSchema
    assert metric.sc_name in ASICMetricsSchema().getkeys()
