"""tapeflow's precheck against TinyTapeout's own precheck.py, run for real
(tapeout/tt_reference.py: its tt-support-tools, its packages, its KLayout
decks and magic): the reference tile, every variant that breaks one of
tapeflow's checks, and every edit on which the two once disagreed must get
the same verdict, check by TinyTapeout check."""

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from tapeflow.tapeout.fixtures import PARITY_EDITS, VARIANTS, edited, reference, variant, write
from tapeflow.tapeout.precheck import failed_tt_checks, run_precheck
from tapeflow.tapeout.tt_reference import run_reference_precheck

from .conftest import tt_precheck_marks

CASES = ["reference", *VARIANTS, *PARITY_EDITS]

pytestmark = tt_precheck_marks()


def draft_of(case: str):
    if case == "reference":
        return reference()
    return variant(case) if case in VARIANTS else edited(case)


@pytest.fixture(scope="module")
def verdicts(pdk_root, cell_gds, tmp_path_factory):
    """case -> (tapeflow's failed TT checks, TinyTapeout's), two cases at a time."""
    from tapeflow.flows.adapters.pdk import layer_properties, magic_tech
    lyp, tech = layer_properties(pdk_root), magic_tech(pdk_root)
    folder = tmp_path_factory.mktemp("parity")

    def judge(index_case):
        index, case = index_case
        gds = write(draft_of(case), folder / f"case{index}", cell_gds)
        ours = failed_tt_checks(run_precheck(gds, lyp, tech, folder / f"work{index}"))
        copy = folder / f"tt{index}"           # precheck.py may write beside the GDS
        shutil.copytree(gds.parent, copy)
        theirs = run_reference_precheck(copy / gds.name, lyp, tech)
        return case, (ours, set(theirs.failed))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(judge, enumerate(CASES)))


@pytest.mark.parametrize("case", CASES)
def test_same_verdict_as_tinytapeout(verdicts, case):
    ours, theirs = verdicts[case]
    assert ours == theirs


def test_the_reference_passes_both_and_every_variant_fails_both(verdicts):
    assert verdicts["reference"] == (set(), set())
    assert all(verdicts[case][1] for case in VARIANTS)
