"""The TT tile-constraint object against TinyTapeout's own numbers: the pin
rule of TINYTAPEOUT.md 1.4 for all 12 template DEFs, and the straps TT's flow
drew in a real 1x1 LEF (1.5)."""

import pytest

from tapeflow.tapeout.tile_constraints import RAIL_WIDTH, tile_constraints
from tapeflow.tapeout.tiles import tiles
from tapeflow.tapeout.tt_data import tile_sizes

#: Left to right from x = 30.82 µm every 2.76 µm (3 met4 tracks), each bus MSB first.
PIN_ORDER = ([f"uio_oe[{i}]" for i in range(7, -1, -1)]
             + [f"uio_out[{i}]" for i in range(7, -1, -1)]
             + [f"uo_out[{i}]" for i in range(7, -1, -1)]
             + [f"uio_in[{i}]" for i in range(7, -1, -1)]
             + [f"ui_in[{i}]" for i in range(7, -1, -1)]
             + ["rst_n", "clk", "ena"])


def expected_pins(height_nm: int) -> dict[str, tuple]:
    """0.30 x 1.00 µm met4 rectangles touching the top edge (TINYTAPEOUT.md 1.4)."""
    pins = {}
    for index, name in enumerate(PIN_ORDER):
        centre = 30820 + 2760 * index
        pins[name] = ("met4", (centre - 150, height_nm - 1000, centre + 150, height_nm))
    return pins


@pytest.mark.parametrize("tile", sorted(tile_sizes()))
def test_every_pin_rectangle_of_every_template_def(tile):
    width, height = tile_sizes()[tile]
    constraints = tile_constraints(tile)
    height_nm = round(height * 1000)
    assert constraints.die == (0, 0, round(width * 1000), height_nm)
    assert {name: (pin.layer, pin.rect) for name, pin in constraints.pins.items()} \
        == expected_pins(height_nm)
    assert {pin.direction for name, pin in constraints.pins.items()
            if name.startswith(("uo_out", "uio_out", "uio_oe"))} == {"OUTPUT"}


@pytest.mark.parametrize("tile", sorted(tile_sizes()))
def test_core_is_one_row_and_six_sites_inside_the_die(tile):
    constraints = tile_constraints(tile)
    x1, y1, x2, y2 = constraints.core
    assert (x1, y1) == (2760, 2720)
    assert (constraints.width - x2, constraints.height - y2) == (2760, 2720)
    assert (y2 - y1) % 2720 == 0 and (x2 - x1) % 460 == 0     # whole rows and sites


def test_one_by_one_straps_are_where_tt_flow_puts_them():
    one = tile_constraints("1x1")
    assert [(r[0], r[2]) for r in one.straps["VPWR"]] == [
        (18280, 19880), (57150, 58750), (96020, 97620), (134890, 136490)]
    assert [(r[0], r[2]) for r in one.straps["VGND"]] == [
        (21580, 23180), (60450, 62050), (99320, 100920), (138190, 139790)]
    assert all((r[1], r[3]) == (2480, 109040) for net in one.straps.values() for r in net)
    # the straps span the met1 rails: half a rail below the core and above it
    assert one.core[1] - 2480 == RAIL_WIDTH // 2


@pytest.mark.parametrize("tile", [t.name for t in tiles()])
def test_straps_stay_inside_the_core_and_never_touch_a_signal_pin(tile):
    constraints = tile_constraints(tile)
    pins = [pin.rect for pin in constraints.pins.values()]
    for rects in constraints.straps.values():
        assert rects
        for x1, y1, x2, y2 in rects:
            assert constraints.core[0] <= x1 and x2 <= constraints.core[2]
            assert all(y2 < p[1] for p in pins)     # pins sit above the straps' ends


def test_pin_placement_in_microns_for_openroad():
    (x, y), (w, h) = tile_constraints("1x1").pin_placement_um("clk")
    assert (x, y, w, h) == (143.98, 111.02, 0.3, 1.0)
