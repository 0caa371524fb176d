"""`tapeflow check-info` against TinyTapeout's own info.yaml check
(tt-support-tools project_checks.check_info_yaml and check_info_md, imported
from TAPEFLOW_TT_ROOT and run here) on the same mutated project folders:
the same messages, in the same order; and the source-file checks of
TinyTapeout's CLI (project.py check_sources) in its words."""

import copy
import importlib
import re
import sys

import pytest
import yaml

from tapeflow.designs.systolic.pinout import pinout
from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.cli import main
from tapeflow.tapeout.info_yaml import ProjectMetadata, build_info, check_project_folder
from tapeflow.tapeout.tt_data import tt_root

TOOLS = tt_root() / "tt-support-tools"
pytestmark = pytest.mark.skipif(not (TOOLS / "project_checks.py").is_file(),
                                reason=f"TinyTapeout's tt-support-tools not at {TOOLS} "
                                       f"(set TAPEFLOW_TT_ROOT)")


@pytest.fixture(scope="module")
def tinytapeout():
    """TinyTapeout's project_checks module, as its docs action imports it."""
    sys.path.insert(0, str(TOOLS))
    try:
        yield importlib.import_module("project_checks")
    finally:
        sys.path.remove(str(TOOLS))


def valid_info() -> dict:
    return build_info(ProjectMetadata("Systolic MAC", "Jane Doe", "int8 MAC array"),
                      "tt_um_tapeflow_systolic", "project.v", 50_000_000, "1x2",
                      pinout(SystolicSpec()))


def project(i):
    return i["project"]


#: (case, mutation) — each applied to a valid info.yaml
MUTATIONS = [
    ("valid", lambda i: None),
    ("yaml_version 5", lambda i: i.update(yaml_version=5)),
    ("no yaml_version", lambda i: i.pop("yaml_version")),
    ("empty title", lambda i: project(i).update(title="")),
    ("no title", lambda i: project(i).pop("title")),
    ("title 5 (TT accepts)", lambda i: project(i).update(title=5)),
    ("blank title (TT accepts)", lambda i: project(i).update(title="  ")),
    ("no author", lambda i: project(i).pop("author")),
    ("empty description", lambda i: project(i).update(description="")),
    ("tiles 7x7", lambda i: project(i).update(tiles="7x7")),
    ("no tiles", lambda i: project(i).pop("tiles")),
    ("tiles 12", lambda i: project(i).update(tiles=12)),
    ("analog_pins '2'", lambda i: project(i).update(analog_pins="2")),
    ("analog_pins 7", lambda i: project(i).update(analog_pins=7)),
    ("analog_pins true", lambda i: project(i).update(analog_pins=True)),
    ("3v3 without analog", lambda i: project(i).update(uses_3v3=True)),
    ("3v3 with analog", lambda i: project(i).update(uses_3v3=True, analog_pins=2)),
    ("no language", lambda i: project(i).pop("language")),
    ("empty language", lambda i: project(i).update(language="")),
    ("Wokwi without wokwi_id", lambda i: project(i).update(language="Wokwi")),
    ("Wokwi id '0'", lambda i: project(i).update(language="Wokwi", wokwi_id="0")),
    ("Wokwi id 0 (TT accepts)", lambda i: project(i).update(language="Wokwi", wokwi_id=0)),
    ("Wokwi id", lambda i: project(i).update(language="Wokwi", wokwi_id=339800239192932947)),
    ("no top_module", lambda i: project(i).pop("top_module")),
    ("top_module my_top", lambda i: project(i).update(top_module="my_top")),
    ("no source_files", lambda i: project(i).pop("source_files")),
    ("empty source_files", lambda i: project(i).update(source_files=[])),
    ("clock_hz '50MHz'", lambda i: project(i).update(clock_hz="50MHz")),
    ("clock_hz 5e7", lambda i: project(i).update(clock_hz=5e7)),
    ("no clock_hz", lambda i: project(i).pop("clock_hz")),
    ("no pinout", lambda i: i.pop("pinout")),
    ("no uio[7]", lambda i: i["pinout"].pop("uio[7]")),
    ("ui[8]", lambda i: i["pinout"].update({"ui[8]": "x"})),
    ("null uo[3]", lambda i: i["pinout"].update({"uo[3]": None})),
    ("no pin described", lambda i: i["pinout"].update({k: "" for k in i["pinout"]})),
    ("ua[0] alone", lambda i: i["pinout"].update({"ua[0]": "analog in"})),
    ("ua[1] without ua[0]", lambda i: i["pinout"].update({"ua[1]": "x"})),
    ("no project", lambda i: i.pop("project")),
    ("version and project", lambda i: (i.update(yaml_version=4), i.pop("project"))),
    ("many at once", lambda i: (project(i).update(title="", tiles="9x9", clock_hz="x"),
                                i["pinout"].pop("ui[0]"))),
]


def write_folder(folder, info):
    (folder / "docs").mkdir(parents=True)
    (folder / "src").mkdir()
    (folder / "src" / "project.v").write_text("module tt_um_tapeflow_systolic(); endmodule\n")
    (folder / "docs" / "info.md").write_text("## How it works\n\nA MAC array.\n\n"
                                             "## How to test\n\nStream tiles in.\n")
    (folder / "info.yaml").write_text(yaml.safe_dump(info, sort_keys=False))
    return folder


@pytest.mark.parametrize("case, mutation", MUTATIONS, ids=[c for c, _ in MUTATIONS])
def test_same_messages_as_tinytapeout(tinytapeout, tmp_path, case, mutation):
    info = copy.deepcopy(valid_info())
    mutation(info)
    folder = write_folder(tmp_path / "project", info)
    theirs = tinytapeout.check_info_yaml(str(folder), "sky130A")
    theirs += tinytapeout.check_info_md(str(folder))
    assert check_project_folder(folder) == theirs


@pytest.mark.parametrize("text", ["# How it works\n\nExplain how your project works\n",
                                  "# How to test\n\nExplain how to use your project\n"])
def test_template_docs_text_as_tinytapeout(tinytapeout, tmp_path, text):
    folder = write_folder(tmp_path / "project", valid_info())
    (folder / "docs" / "info.md").write_text(text)
    theirs = tinytapeout.check_info_md(str(folder))
    assert theirs and check_project_folder(folder) == theirs
    (folder / "docs" / "info.md").unlink()
    assert check_project_folder(folder) == tinytapeout.check_info_md(str(folder))


#: Where TinyTapeout's checker crashes on the file and so reports nothing:
#: tapeflow says what is wrong (one line each), deliberately not agreeing.
CRASHES = {
    "project: 5": "project: 5\nyaml_version: 6\npinout: {}\n",
    "a list": "- yaml_version\n- 6\n",
    "empty file": "",
    "pinout: 5": None,
    "top_module: 5": None,
}


@pytest.mark.parametrize("case", list(CRASHES))
def test_where_tinytapeout_crashes_tapeflow_reports(tinytapeout, tmp_path, case):
    folder = write_folder(tmp_path / "project", valid_info())
    text = CRASHES[case]
    if text is None:
        info = valid_info()
        if case == "pinout: 5":
            info["pinout"] = 5
        else:
            info["project"]["top_module"] = 5
        text = yaml.safe_dump(info)
    (folder / "info.yaml").write_text(text)
    with pytest.raises(Exception) as crash:
        tinytapeout.ProjectInfo(yaml.safe_load(text), {"1x2": ""}, require_pinout=True)
    assert not isinstance(crash.value, tinytapeout.ProjectYamlError)
    assert tinytapeout.check_info_yaml(str(folder), "sky130A") == []
    problems = check_project_folder(folder)
    assert problems and all("\n" not in p for p in problems)


def test_source_files_as_tinytapeouts_cli(tmp_path, capsys):
    """The CLI's words, read from its source (project.py check_sources)."""
    source = (TOOLS / "project.py").read_text()
    assert '"* not allowed, please specify each file"' in source
    assert re.search(r'f"\{filename\} doesn\'t exist in the repo"', source)
    info = valid_info()
    info["project"]["source_files"] = ["project.v", "extra.v", "*.v"]
    folder = write_folder(tmp_path / "project", info)
    assert check_project_folder(folder) == ["extra.v doesn't exist in the repo",
                                            "* not allowed, please specify each file"]
    assert main(["check-info", str(folder)]) == 1
    assert "extra.v doesn't exist in the repo" in capsys.readouterr().out
