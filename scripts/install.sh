#!/usr/bin/env bash
# Installs what tapeflow needs on a Debian/Ubuntu machine: the Debian packages
# (when run as root; otherwise it lists them and stops) and a virtual
# environment .venv with tapeflow and its Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# g++ and make build Verilator models; iverilog is the second simulator and
# TinyTapeout's gate-level simulator; opensta (sta) times the synthesized netlist;
# magic and netgen-lvs run DRC, extraction and LVS; klayout writes the GDS of a
# hardened tile; chromium renders report.html headless.
packages=(iverilog g++ make opensta magic netgen-lvs klayout chromium)
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
echo "install.sh: ready. '.venv/bin/tapeflow doctor' lists every tool of the flow."
