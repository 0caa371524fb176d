import pytest

from tapeflow.designs.errors import SpecError
from tapeflow.designs.systolic.spec import SystolicSpec


def test_default_is_int8_and_streams_two_macs_per_cycle():
    spec = SystolicSpec()
    assert (spec.in_width, spec.signed) == (8, True)
    assert spec.acc_width >= spec.product_width
    assert spec.pes == 2 and (spec.tile_rows, spec.tile_cols) == (2, 2)
    # a column of A and a row of B (4 bytes) arrive in 2 cycles on 16 pins
    assert spec.words_per_kstep == 2 and spec.kstep_period == 2
    assert spec.sustained_macs_per_cycle == 2.0
    assert spec.input_bytes_per_cycle == 2.0
    assert spec.result_bytes == 4 * 3
    assert spec.min_streaming_k == 7


@pytest.mark.parametrize("kwargs, parameter, allowed", [
    ({"rows": 0}, "rows", "1..8"),
    ({"cols": 9}, "cols", "1..8"),
    ({"fold": 0}, "fold", "1..8"),
    ({"in_width": 3}, "in_width", "2, 4, 8"),
    ({"acc_width": 15}, "acc_width", "16..32"),
    ({"in_width": 4, "acc_width": 7}, "acc_width", "8..32"),
    ({"signed": "yes"}, "signed", "true or false"),
    ({"top_name": "my_design"}, "top_name", "tt_um_"),
    ({"top_name": "tt_um_bad-name"}, "top_name", "tt_um_"),
    ({"rows": True}, "rows", "1..8"),
])
def test_bad_parameters_name_parameter_value_and_range(kwargs, parameter, allowed):
    with pytest.raises(SpecError) as caught:
        SystolicSpec(**kwargs)
    message = str(caught.value)
    assert caught.value.parameter == parameter
    assert f"{parameter}=" in message and allowed in message


@pytest.mark.parametrize("in_width", [2, 4, 8])
def test_every_valid_array_streams_within_the_longest_k(in_width):
    # result bytes <= 8*8*fold*4 and P >= fold, so readout/P <= 256 = MAX_K
    spec = SystolicSpec(rows=8, cols=8, fold=8, in_width=in_width, acc_width=32)
    assert spec.min_streaming_k <= 256


def test_tag_is_readable_and_distinguishes_every_parameter():
    default = SystolicSpec()
    assert default.tag.startswith("2x1f2-s8-acc20-")
    assert default.tag == SystolicSpec().tag
    assert default.tag != SystolicSpec(top_name="tt_um_other").tag


def test_int4_packs_four_operands_per_cycle():
    spec = SystolicSpec(in_width=4, rows=2, cols=2, fold=1, acc_width=16)
    assert spec.elements_per_word == 4 and spec.kstep_period == 1
    assert spec.sustained_macs_per_cycle == 4.0


def test_fold_bound_array_leaves_input_idle():
    spec = SystolicSpec(in_width=4, rows=2, cols=1, fold=2, acc_width=16)
    assert spec.words_per_kstep == 1 and spec.kstep_period == 2
    assert spec.input_bytes_per_cycle == 1.0
