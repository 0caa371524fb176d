import pytest

from tapeflow.flows.adapters.pdk import PdkError, check_pdk_root
from tapeflow.tapeout.tiles import MARGIN_X, MARGIN_Y, fit_tiles, tile_named, tiles

from .conftest import SHARED_PDK



def _lambdapdk():
    return pytest.importorskip("lambdapdk", reason="lambdapdk not installed "
                               "(pip install lambdapdk==0.2.22)")


def test_empty_pdk_root_names_the_first_missing_file(tmp_path):
    _lambdapdk()
    with pytest.raises(PdkError) as caught:
        check_pdk_root(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message and "is missing" in message and "lambdapdk/sky130/" in message


def test_missing_pdk_root_folder(tmp_path):
    _lambdapdk()
    with pytest.raises(PdkError, match="does not exist"):
        check_pdk_root(tmp_path / "nowhere")


@pytest.mark.skipif(not SHARED_PDK.is_dir(), reason="no local PDK copy at ../shared/pdk")
def test_shared_pdk_root_is_complete():
    _lambdapdk()
    check_pdk_root(SHARED_PDK)


def test_no_pdk_root_means_download_and_checks_nothing():
    check_pdk_root(None)


def test_tile_geometry_follows_tinytapeout():
    by_name = {t.name: t for t in tiles()}
    assert len(by_name) == 12
    one = by_name["1x1"]
    assert (one.width, one.height) == (161.00, 111.52)
    # core (2.76, 2.72)-(158.24, 108.80): 1 row top/bottom, 6 sites left/right
    assert (MARGIN_X, MARGIN_Y) == pytest.approx((2.76, 2.72))
    assert (one.core_width, one.core_height) == pytest.approx((155.48, 106.08))
    assert by_name["8x4"].width == 1378.16 and by_name["1x2"].height == 225.76
    assert [t.name for t in tiles()][:3] == ["1x1", "1x2", "2x2"]
    assert tile_named("1x2") == by_name["1x2"]
    with pytest.raises(ValueError, match="not a TinyTapeout tile"):
        tile_named("9x9")


def test_fit_picks_the_smallest_tile_within_the_target_density():
    one_by_one = tile_named("1x1")
    fit = fit_tiles(0.59 * one_by_one.core_area)
    assert fit.smallest.name == "1x1" and fit.fits("1x1")
    fit = fit_tiles(18_195.0)
    assert fit.smallest.name == "1x2"
    assert fit.utilization["1x1"] == pytest.approx(18_195.0 / one_by_one.core_area)
    assert fit_tiles(1e7).smallest is None
