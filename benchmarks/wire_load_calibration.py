"""Where sta-pre's wire-load model comes from: the wires of a hardened run.

Reads a run's routed SPEF (harden, typical RC) and SiliconCompiler's
wirelength, and prints per fanout the number of nets and their mean wire
capacitance and resistance, then the per-um values and fanout lengths that
flows/adapters/wire_load.py holds, beside the sky130hd liberty's own "Small"
model for comparison. Then, when the run has both, the pre-layout slack
(sta-pre) against the routed slack (sta-post, nominal RC) at each corner.

    python benchmarks/wire_load_calibration.py build/<run>
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

MAX_FANOUT_BIN = 12


def spef_nets(text: str):
    """(fanout, total capacitance pF, total resistance ohm) of every net."""
    for block in re.split(r"\n\*D_NET ", text)[1:]:
        name_cap = block.split("\n", 1)[0].split()
        connections = block.split("*CONN", 1)[1].split("*CAP", 1)[0]
        fanout = 0
        for line in connections.strip().splitlines():
            kind, _pin, direction = line.split()[:3]
            if (kind, direction) in (("*I", "I"), ("*P", "O")):
                fanout += 1
        resistance = 0.0
        if "*RES" in block:
            body = block.split("*RES", 1)[1].split("*END", 1)[0]
            resistance = sum(float(line.split()[-1]) for line in body.strip().splitlines()
                             if line.strip())
        yield fanout, float(name_cap[1]), resistance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    args = parser.parse_args()
    harden = args.run / "harden"
    spef = next(harden.glob("*.typical.spef"), None)
    if spef is None:
        print(f"no typical SPEF under {harden}: harden the run first", file=sys.stderr)
        return 2
    wirelength = json.loads((harden / "postroute.json").read_text())["sc_metrics"][
        "postroute_wirelength_um"]
    caps, resistances = defaultdict(list), defaultdict(list)
    for fanout, cap, res in spef_nets(spef.read_text()):
        caps[min(fanout, MAX_FANOUT_BIN)].append(cap * 1000)     # fF
        resistances[min(fanout, MAX_FANOUT_BIN)].append(res)
    total_cap = sum(sum(v) for v in caps.values())
    total_res = sum(sum(v) for v in resistances.values())
    cap_per_um = total_cap / wirelength
    print(f"{spef.name}: {sum(len(v) for v in caps.values())} nets, {wirelength:.0f} um of "
          f"wire, {total_cap:.0f} fF, {total_res:.0f} ohm")
    print(f"per um: {cap_per_um:.4f} fF, {total_res / wirelength:.4f} ohm")
    print(f"{'fanout':>6} {'nets':>5} {'mean fF':>8} {'mean ohm':>9} {'length um':>9}")
    for fanout in sorted(caps):
        mean_cap = sum(caps[fanout]) / len(caps[fanout])
        mean_res = sum(resistances[fanout]) / len(resistances[fanout])
        label = f"{fanout}+" if fanout == MAX_FANOUT_BIN else str(fanout)
        print(f"{label:>6} {len(caps[fanout]):>5} {mean_cap:8.2f} {mean_res:9.1f} "
              f"{mean_cap / cap_per_um:9.1f}")
    print("sky130hd liberty 'Small': 0.0142 fF/um, fanout 1 -> 23.3 um (0.33 fF), "
          "4 -> 64.1 um (0.91 fF)")
    pre = args.run / "sta-pre" / "timing.json"
    post = args.run / "sta-post" / "timing.json"
    if pre.is_file() and post.is_file():
        pre_data = json.loads(pre.read_text())["corners"]
        post_data = json.loads(post.read_text())["corners"]
        print(f"\n{'corner':<14} {'pre setup':>9} {'routed':>8} {'pre hold':>9} {'routed':>8}")
        for corner, values in pre_data.items():
            routed = post_data.get(f"nom_{corner}", {})
            print(f"{corner:<14} {values['setup_slack_ns']:9.3f} "
                  f"{routed.get('setup_slack_ns', float('nan')):8.3f} "
                  f"{values['hold_slack_ns']:9.3f} {routed.get('hold_slack_ns', float('nan')):8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
