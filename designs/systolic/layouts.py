"""Data layouts shared by the array's components."""

from amaranth.hdl import Shape, signed, unsigned
from amaranth.lib import data

from .spec import SystolicSpec


def operand_shape(spec: SystolicSpec) -> Shape:
    return signed(spec.in_width) if spec.signed else unsigned(spec.in_width)


def acc_shape(spec: SystolicSpec) -> Shape:
    return signed(spec.acc_width) if spec.signed else unsigned(spec.acc_width)


def b_step_layout(spec: SystolicSpec) -> data.StructLayout:
    """One B operand travelling down a PE column, with the tags that tell
    each PE which accumulator it belongs to and where the tile starts/ends."""
    return data.StructLayout({
        "value": operand_shape(spec),
        "valid": 1,
        "phase": range(spec.fold),
        "first": 1,   # first k-step of a tile: start the accumulator from zero
        "last": 1,    # last k-step of a tile: capture the sum for readout
    })


def tile_results_layout(spec: SystolicSpec) -> data.ArrayLayout:
    """The finished output tile, row-major: results[row][col]."""
    return data.ArrayLayout(data.ArrayLayout(acc_shape(spec), spec.tile_cols), spec.tile_rows)
