import numpy as np
import pytest

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.verification.arithmetic import (bytes_to_tile, matmul, operand_range, pack_kstep,
                                              tile_to_bytes, unpack_kstep, wrap)


def test_wrap_is_twos_complement_at_acc_width():
    spec = SystolicSpec(acc_width=20)
    assert wrap([2**19 - 1, 2**19, -2**19, -2**19 - 1], spec).tolist() == \
        [2**19 - 1, -2**19, -2**19, 2**19 - 1]


def test_wrap_unsigned():
    spec = SystolicSpec(signed=False, acc_width=16)
    assert wrap([65535, 65536, 70000], spec).tolist() == [65535, 0, 70000 - 65536]


def test_min_times_min_repeated_wraps_the_accumulator():
    spec = SystolicSpec()
    a = np.full((1, 256), -128)
    b = np.full((256, 1), -128)
    exact = 256 * 16384
    assert matmul(a, b, spec)[0, 0] == (exact + 2**19) % 2**20 - 2**19


@pytest.mark.parametrize("kwargs", [{}, {"in_width": 4, "acc_width": 12, "rows": 3, "fold": 3},
                                    {"signed": False, "in_width": 2, "acc_width": 9}])
def test_kstep_and_result_encodings_round_trip(kwargs):
    spec = SystolicSpec(**kwargs)
    rng = np.random.default_rng(0)
    low, high = operand_range(spec)
    a = rng.integers(low, high + 1, spec.tile_rows)
    b = rng.integers(low, high + 1, spec.tile_cols)
    words = pack_kstep(a, b, spec)
    assert len(words) == spec.kstep_period and all(0 <= w < 1 << 16 for w in words)
    got_a, got_b = unpack_kstep(words, spec)
    assert got_a.tolist() == a.tolist() and got_b.tolist() == b.tolist()
    tile = wrap(rng.integers(-2**40, 2**40, (spec.tile_rows, spec.tile_cols)), spec)
    data = tile_to_bytes(tile, spec)
    assert len(data) == spec.result_bytes
    assert bytes_to_tile(data, spec).tolist() == tile.tolist()


def test_default_kstep_layout_on_the_pins():
    # word 0: A column on ui_in, uio_in; word 1: B row
    assert pack_kstep([1, -1], [2, -128], SystolicSpec()) == [0xff01, 0x8002]
