import json
import subprocess
import sys

import pytest

from tapeflow.designs.errors import SpecError
from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.adapters.tools import which
from tapeflow.flows.cli import main
from tapeflow.flows.params import ParameterError, build_spec, load_config

from .conftest import require_tool


def test_set_overrides_config_which_overrides_defaults(tmp_path):
    config = tmp_path / "array.toml"
    config.write_text('rows = 3\nfold = 3\nsigned = false\n')
    spec = build_spec(SystolicSpec, load_config(config), ["rows=1", "acc_width=0x18"])
    assert (spec.rows, spec.fold, spec.signed, spec.acc_width) == (1, 3, False, 24)


def test_json_config(tmp_path):
    config = tmp_path / "array.json"
    config.write_text(json.dumps({"in_width": 4, "acc_width": 12}))
    assert build_spec(SystolicSpec, load_config(config), []).in_width == 4


@pytest.mark.parametrize("assignment, error, text", [
    ("rows=0", SpecError, "rows=0"),
    ("rows=two", SpecError, "rows='two'"),
    ("signed=maybe", SpecError, "true or false"),
    ("colour=red", ParameterError, "unknown parameter 'colour'"),
    ("rows", ParameterError, "name=value"),
])
def test_bad_assignments(assignment, error, text):
    with pytest.raises(error, match=text.replace("(", r"\(")):
        build_spec(SystolicSpec, {}, [assignment])


def test_broken_config_files(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("rows = = 3")
    with pytest.raises(ParameterError, match="not valid TOML"):
        load_config(bad)


@pytest.mark.parametrize("argv, text", [
    (["run", "--set", "rows=0"], "parameter rows=0 is invalid: expected an integer in 1..8"),
    (["run", "--set", "acc_width=12"], "acc_width=12"),
    (["run", "--set", "top_name=adder"], "tt_um_"),
    (["run", "--design", "fft"], "unknown design 'fft'"),
])
def test_cli_rejects_bad_input_with_one_line(argv, text, capsys, tmp_path):
    assert main(argv + ["--build-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and text in err
    assert not any(tmp_path.iterdir())          # nothing half-written


def test_empty_pdk_root_is_one_line_before_any_stage(tmp_path, capsys):
    pytest.importorskip("lambdapdk", reason="lambdapdk not installed (pip install lambdapdk)")
    empty = tmp_path / "pdk"
    empty.mkdir()
    build = tmp_path / "build"
    assert main(["run", "--pdk-root", str(empty), "--build-dir", str(build)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is incomplete" in err and "is missing" in err
    assert not build.exists()


@pytest.mark.parametrize("argv, text", [
    (["--clock-period", "0"], "--clock-period"),
    (["--target-density", "120"], "percentage in 10..95"),
])
def test_bad_run_settings(argv, text, capsys, tmp_path):
    assert main(["run", *argv, "--build-dir", str(tmp_path)]) == 2
    assert text in capsys.readouterr().err


def test_console_script_has_no_traceback_on_bad_value(tmp_path):
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run", "--set", "rows=0",
                          "--build-dir", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "rows=0" in run.stderr


def test_doctor_lists_every_tool_of_the_flow(capsys):
    main(["doctor"])
    out = capsys.readouterr().out
    for tool in ("verilator", "iverilog", "yosys", "siliconcompiler", "openroad", "klayout",
                 "magic", "netgen"):
        assert tool in out
    openroad = next(line for line in out.splitlines() if line.startswith("openroad"))
    if which("openroad") is None:
        assert "MISSING" in openroad and "harden" in openroad
        assert "Ubuntu 22.04/24.04: `sc-install openroad`" in openroad


def test_doctor_checks_the_data_too(capsys, monkeypatch, tmp_path, pdk_root):
    from tapeflow.flows.adapters.pdk import PDK_ROOT_ENV
    from tapeflow.tapeout.tt_data import TT_ROOT_ENV

    monkeypatch.delenv("PDK_ROOT", raising=False)
    main(["doctor"])
    found = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()
             if line.split()[:1] in (["pdk"], ["corners"], ["tinytapeout"])}
    assert "found" in found["pdk"] and str(pdk_root) in found["pdk"]
    assert "found" in found["corners"] and "ss_100C_1v60" in found["corners"]
    assert "found" in found["tinytapeout"]
    # without them: what each missing item disables, and a non-zero exit
    monkeypatch.delenv(PDK_ROOT_ENV)
    monkeypatch.setenv(TT_ROOT_ENV, str(tmp_path / "nowhere"))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    missing = {line.split()[0]: line for line in out.splitlines()
               if line.split()[:2] in (["pdk", "MISSING"], ["corners", "MISSING"],
                                       ["tinytapeout", "MISSING"])}
    assert set(missing) == {"pdk", "corners", "tinytapeout"}
    assert "synthesize and every later stage are skipped" in missing["pdk"]
    assert "tile-fit, harden, package, precheck and check-info fail" in missing["tinytapeout"]


def test_an_internal_error_is_one_line_naming_its_traceback_file(monkeypatch, capsys):
    from pathlib import Path

    from tapeflow.flows import cli

    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_doctor", broken)
    assert cli.main(["doctor"]) == 3
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "internal error (RuntimeError: a bug; traceback in " in error
    log = Path(error.split("traceback in ")[1].split(")")[0])
    assert "RuntimeError: a bug" in log.read_text()
    log.unlink()


@pytest.mark.parametrize("value", ["", "modelsim", "icarus,vcs"])
def test_gate_level_simulators_are_checked(value, capsys, tmp_path):
    from tapeflow.flows.cli import main
    assert main(["run", "--gl-simulators", value, "--build-dir", str(tmp_path)]) == 2
    assert "--gl-simulators" in capsys.readouterr().err


@require_tool("ccache", "apt-get install ccache")
def test_cache_show_and_clean(tmp_path, monkeypatch, capsys):
    from tapeflow.flows.cli import main
    cache = tmp_path / "cache"
    monkeypatch.setenv("TAPEFLOW_CACHE", str(cache))
    (cache / "ccache").mkdir(parents=True)
    (cache / "ccache" / "object").write_bytes(b"\0" * 2_000_000)
    assert main(["cache"]) == 0
    assert f"{cache / 'ccache'}, 2.0 MB of at most" in capsys.readouterr().out
    assert main(["cache", "clean"]) == 0
    assert capsys.readouterr().out.strip() == f"tapeflow cache: removed {cache} (2.0 MB)"
    assert not cache.exists()
    monkeypatch.setenv("TAPEFLOW_CACHE", "off")
    assert main(["cache"]) == 0 and "off" in capsys.readouterr().out
