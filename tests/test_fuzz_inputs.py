"""Property-based fuzzing of everything a user hands tapeflow: design
parameters, config files, `run` options, info.yaml and manifests. Whatever
comes in, the answer is an exit code (0 ok, 1 a check failed, 2 bad input)
and at most one line of error, never a traceback (exit 3)."""

import contextlib
import json
import string

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows import cli

from .test_reports import _manifest

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

PARAMETERS = [field for field in SystolicSpec.__dataclass_fields__]
text = st.text(alphabet=string.printable + "éß\x00\u202e", max_size=40)
numbers = st.one_of(st.integers(-10**6, 10**6), st.sampled_from(
    ["0", "-1", "1e308", "inf", "nan", "0x10", "9" * 5000, "", " 4 ", "1_0"]))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(PARAMETERS) | text, children, max_size=4),
    max_leaves=12)


@pytest.fixture
def no_run(monkeypatch):
    """Stop where the flow would start (the run folder made, no stage run):
    everything before it is what is fuzzed."""
    from tapeflow.flows.engine.execute import execute
    monkeypatch.setattr(cli, "execute", lambda design, spec, settings, stages:
                        execute(design, spec, settings, []))


def call(argv, capsys) -> int:
    try:
        code = cli.main(argv)
    except SystemExit as stop:           # argparse's own usage error, exit 2
        code = stop.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, argv
    assert code != 3, err
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines and (len(lines) == 1 or lines[0].startswith("usage:")), err
    return code


@FUZZ
@given(assignments=st.lists(st.tuples(st.sampled_from(PARAMETERS) | text,
                                      numbers.map(str) | text), max_size=4))
def test_set_assignments(assignments, no_run, capsys, tmp_path):
    argv = ["run", "--build-dir", str(tmp_path)]
    for name, value in assignments:
        argv += ["--set", f"{name}={value}"]
    assert call(argv, capsys) in (0, 2)


@FUZZ
@given(options=st.lists(st.tuples(
    st.sampled_from(["--clock-period", "--target-density", "--tile", "--seed", "--simulator",
                     "--corners", "--design", "--pdk-root", "--build-dir", "--gl-simulators",
                     "--until"]),
    numbers.map(str) | text | st.sampled_from(["1x2", "8x4", "tt", "icarus", "/proc/x",
                                               "icarus,verilator", "sta-pre"])),
    max_size=3))
def test_run_options(options, no_run, capsys, tmp_path):
    argv = ["run"]
    for option, value in options:
        argv += [f"{option}={value}"]
    if not any(option == "--build-dir" for option, _ in options):
        argv += ["--build-dir", str(tmp_path)]
    with contextlib.chdir(tmp_path):     # a relative --build-dir lands here, not in the tree
        assert call(argv, capsys) in (0, 2)


@FUZZ
@given(content=json_values, kind=st.sampled_from([".json", ".toml"]),
       raw=st.binary(max_size=64))
def test_config_files(content, kind, raw, no_run, capsys, tmp_path):
    config = tmp_path / f"params{kind}"
    if kind == ".json":
        config.write_text(json.dumps(content))
    else:
        config.write_bytes(raw)
    assert call(["run", "--config", str(config), "--build-dir", str(tmp_path)],
                capsys) in (0, 2)


@FUZZ
@given(document=json_values, raw=st.binary(max_size=64), use_raw=st.booleans())
def test_info_yaml(document, raw, use_raw, capsys, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir(exist_ok=True)
    info = folder / "info.yaml"
    if use_raw:
        info.write_bytes(raw)
    else:
        info.write_text(yaml.safe_dump({"yaml_version": 6, "project": document}))
    assert call(["check-info", str(folder)], capsys) in (0, 1)
    (folder / "tt_um_fuzz.gds").write_bytes(b"")
    assert call(["precheck", str(folder), "--out", str(tmp_path / "out")], capsys) in (1, 2)


PROJECT_KEYS = ["title", "top_module", "source_files", "tiles", "clock_hz", "language",
                "description", "wokwi_id"]


@FUZZ
@given(key=st.sampled_from(PROJECT_KEYS), value=json_values | numbers, drop=st.booleans())
def test_project_info_yaml(key, value, drop, no_run, capsys, tmp_path_factory):
    """`run --project` on TinyTapeout's template with one info.yaml field
    replaced by a hostile value or removed: exit 0 or 2, and every error line
    one of TinyTapeout's problems or tapeflow's one-line error."""
    from .test_tt_project import TEMPLATE, filled_template
    if not TEMPLATE.is_dir():
        pytest.skip(f"no TinyTapeout template project at {TEMPLATE}")
    folder = filled_template(tmp_path_factory.mktemp("project") / "p")
    info = yaml.safe_load((folder / "info.yaml").read_text())
    if drop:
        info["project"].pop(key, None)
    else:
        info["project"][key] = value
    (folder / "info.yaml").write_text(yaml.safe_dump(info))
    try:
        code = cli.main(["run", "--project", str(folder), "--build-dir",
                         str(tmp_path_factory.mktemp("build"))])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and code in (0, 2), (key, value, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 0 or (lines and all(line.startswith("tapeflow: error: ") for line in lines))


def _damaged(manifest: dict, path: list, value):
    """The manifest with the item at ``path`` (keys/indices, as deep as it
    goes) replaced by ``value``."""
    node = manifest
    for step in path[:-1]:
        if isinstance(node, dict) and node:
            node = node[sorted(node)[step % len(node)]]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
    if isinstance(node, dict) and node:
        node[sorted(node)[path[-1] % len(node)]] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
    return manifest


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=5),
       value=json_values | st.sampled_from([1e308, "1x2", -1, {"name": "x"}, "L9"]))
def test_manifests(path, value, capsys, tmp_path_factory):
    run_dir = _manifest(tmp_path_factory.mktemp("run"), "a", 2, 18_000.0)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (run_dir / "manifest.json").write_text(json.dumps(_damaged(manifest, path, value)))
    code = call(["report", str(run_dir)], capsys)
    assert code in (0, 2)
    if code == 2:          # nothing that looks like a report was left behind
        assert not (run_dir / "report" / "report.html").exists()


@FUZZ
@given(assignments=st.lists(st.tuples(
           st.sampled_from(PARAMETERS) | text,
           st.lists(st.sampled_from(["1", "2", "4", "8", "20", "true"]) | numbers.map(str)
                    | text, max_size=3).map(",".join)), max_size=3),
       config=st.none() | json_values)
@example(assignments=[("rows", "1,2"), ("in_width", "4,8"), ("acc_width", "12,20")],
         config=None)
@example(assignments=[("fold", "1,2")], config={"cols": [1, 2], "signed": False})
@example(assignments=[], config={"points": [{"rows": 4}, {"rows": 1, "in_width": 4}]})
def test_sweep_grids(assignments, config, capsys, tmp_path, monkeypatch):
    """Whatever the grid, a sweep either refuses it with one line (exit 2)
    or reaches the point where it would start its points."""
    def stop_before_points(*args):
        raise SystemExit(0)

    monkeypatch.setattr(cli, "run_sweep", stop_before_points)
    argv = ["sweep", "--build-dir", str(tmp_path / "build")]
    if config is not None:
        path = tmp_path / "sweep.json"
        path.write_text(json.dumps(config))
        argv += ["--config", str(path)]
    for name, values in assignments:
        argv += ["--set", f"{name}={values}"]
    assert call(argv, capsys) in (0, 2)
