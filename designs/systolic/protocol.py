"""The host protocol's constants: opcodes and status bits.

Shared by the hardware, the golden model and the host driver; the protocol
itself is described in docs/accelerator.md.
"""

from amaranth.lib import enum


class Opcode(enum.Enum, shape=8):
    """Command byte on ui_in while idle; uio_in carries the argument."""

    NOP = 0x00
    SET_K = 0x01          # arg = K - 1: k-steps per output tile (1..256)
    SET_TILES = 0x02      # arg = T - 1: output tiles per burst (1..256)
    START = 0x03          # the next T*K*P cycles are operand words
    READ = 0x04           # replay the last finished tile on uo_out


class Status(enum.IntFlag):
    """The byte on uo_out whenever no result byte is being read out."""

    STREAMING = 0x01      # a burst is taking operand words
    RESULTS_VALID = 0x02  # at least one tile has finished since reset
    OVERRUN = 0x04        # a tile finished while the previous one was being read
    BAD_COMMAND = 0x08    # an unknown opcode was received
    # Upper nibble: protocol identifier, so a host can tell it is talking to us.
    ID = 0xA0


STICKY_FLAGS = Status.OVERRUN | Status.BAD_COMMAND
"""Flags that stay set until the next START (or reset)."""
