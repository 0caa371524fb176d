"""Reference arithmetic of the array: exact products, accumulator wrap-around."""

from __future__ import annotations

import numpy as np

from tapeflow.designs.systolic.spec import SystolicSpec


def operand_range(spec: SystolicSpec) -> tuple[int, int]:
    """Smallest and largest operand value."""
    if spec.signed:
        return -(1 << (spec.in_width - 1)), (1 << (spec.in_width - 1)) - 1
    return 0, (1 << spec.in_width) - 1


def wrap(values, spec: SystolicSpec) -> np.ndarray:
    """Reduce exact sums to the accumulator's two's-complement (or unsigned) range."""
    values = np.asarray(values, dtype=np.int64)
    modulus = 1 << spec.acc_width
    wrapped = np.mod(values, modulus)
    if spec.signed:
        wrapped = np.where(wrapped >= modulus >> 1, wrapped - modulus, wrapped)
    return wrapped


def matmul(a: np.ndarray, b: np.ndarray, spec: SystolicSpec) -> np.ndarray:
    """What the array computes for A (M x K) times B (K x N)."""
    return wrap(np.asarray(a, dtype=np.int64) @ np.asarray(b, dtype=np.int64), spec)


def check_operands(matrix: np.ndarray, spec: SystolicSpec, name: str) -> None:
    low, high = operand_range(spec)
    if matrix.size and (matrix.min() < low or matrix.max() > high):
        raise ValueError(f"{name} has values outside {low}..{high} "
                         f"for {spec.in_width}-bit {'signed' if spec.signed else 'unsigned'} operands")


def result_to_bytes(value: int, spec: SystolicSpec) -> list[int]:
    """One accumulator as it appears on uo_out: little-endian, extended to whole bytes."""
    raw = int(value) & ((1 << (8 * spec.acc_bytes)) - 1)
    return [(raw >> (8 * i)) & 0xff for i in range(spec.acc_bytes)]


def bytes_to_result(data: list[int], spec: SystolicSpec) -> int:
    raw = sum(byte << (8 * i) for i, byte in enumerate(data))
    value = raw & ((1 << spec.acc_width) - 1)
    if spec.signed and value >> (spec.acc_width - 1):
        value -= 1 << spec.acc_width
    return value


def tile_to_bytes(tile: np.ndarray, spec: SystolicSpec) -> list[int]:
    """A finished output tile in readout order (row-major)."""
    return [byte for value in np.asarray(tile).reshape(-1) for byte in result_to_bytes(value, spec)]


def bytes_to_tile(data: list[int], spec: SystolicSpec) -> np.ndarray:
    n = spec.acc_bytes
    values = [bytes_to_result(data[i:i + n], spec) for i in range(0, len(data), n)]
    return np.array(values, dtype=np.int64).reshape(spec.tile_rows, spec.tile_cols)


def pack_kstep(a_column, b_row, spec: SystolicSpec) -> list[int]:
    """The P input words {uio_in, ui_in} of one k-step; unused words are zero."""
    mask = (1 << spec.in_width) - 1
    operands = [int(v) & mask for v in list(a_column) + list(b_row)]
    words = [0] * spec.kstep_period
    per_word = spec.elements_per_word
    for index, operand in enumerate(operands):
        words[index // per_word] |= operand << (spec.in_width * (index % per_word))
    return words


def unpack_kstep(words: list[int], spec: SystolicSpec) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of pack_kstep, interpreting operands as the array does."""
    mask = (1 << spec.in_width) - 1
    per_word = spec.elements_per_word
    operands = []
    for index in range(spec.elements_per_kstep):
        raw = (words[index // per_word] >> (spec.in_width * (index % per_word))) & mask
        if spec.signed and raw >> (spec.in_width - 1):
            raw -= 1 << spec.in_width
        operands.append(raw)
    operands = np.array(operands, dtype=np.int64)
    return operands[:spec.tile_rows], operands[spec.tile_rows:]
