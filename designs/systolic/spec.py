"""The typed, validated parameter set of the systolic MAC array.

Every number the hardware, the golden model, the host driver and the reports
need is derived here, once, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from math import ceil

from ..errors import SpecError

#: Input bits the TT pins deliver per cycle in streaming mode: ui_in + uio_in.
INPUT_BITS_PER_CYCLE = 16
#: Output bits per cycle: uo_out.
OUTPUT_BITS_PER_CYCLE = 8
#: The K field of SET_K is one byte holding K-1.
MAX_K = 256
#: The SET_TILES field is one byte holding T-1; longer streams are several
#: bursts (one START command each, two cycles apart).
MAX_TILES = 256

_TOP_NAME = re.compile(r"tt_um_[A-Za-z0-9_]+")
#: The top name becomes file names (<top>.gds, <top>.powered.v, SiliconCompiler's
#: build folders); 100 keeps every one far inside the 255-byte file-name limit.
_TOP_NAME_MAX = 100


@dataclass(frozen=True)
class SystolicSpec:
    """Parameters of the output-stationary systolic array behind the TT pins.

    The PE grid is ``rows`` x ``cols``. Each PE holds ``fold`` accumulators and
    serves ``fold`` neighbouring output columns, one per cycle, so the output
    tile is ``rows`` x ``cols * fold`` while only ``rows * cols`` multipliers
    exist. Folding is what lets a 2-multiplier array keep both multipliers busy
    on a 16-bit input port: see ``docs/accelerator.md``.
    """

    rows: int = 2
    cols: int = 1
    fold: int = 2
    in_width: int = 8
    acc_width: int = 20
    signed: bool = True
    top_name: str = "tt_um_tapeflow_systolic"

    # -- validation -----------------------------------------------------
    def __post_init__(self) -> None:
        _check_int("rows", self.rows, 1, 8)
        _check_int("cols", self.cols, 1, 8)
        _check_int("fold", self.fold, 1, 8)
        if not isinstance(self.in_width, int) or isinstance(self.in_width, bool) \
                or self.in_width not in (2, 4, 8):
            raise SpecError("in_width", self.in_width,
                            "one of 2, 4, 8 (operands pack evenly into the 16 input pins)")
        _check_int("acc_width", self.acc_width, self.product_width, 32,
                   why=f"at least the {self.product_width}-bit product of two "
                       f"{self.in_width}-bit operands")
        if not isinstance(self.signed, bool):
            raise SpecError("signed", self.signed, "true or false")
        if not isinstance(self.top_name, str) or not _TOP_NAME.fullmatch(self.top_name) \
                or len(self.top_name) > _TOP_NAME_MAX:
            raise SpecError("top_name", self.top_name,
                            f"a Verilog identifier starting with 'tt_um_' (TinyTapeout rule), "
                            f"letters, digits and _ only, at most {_TOP_NAME_MAX} characters")

    # -- derived architecture numbers -------------------------------------
    @property
    def product_width(self) -> int:
        return 2 * self.in_width

    @property
    def tile_rows(self) -> int:
        """Rows of the output tile (the A operand's rows per k-step)."""
        return self.rows

    @property
    def tile_cols(self) -> int:
        """Columns of the output tile (the B operand's columns per k-step)."""
        return self.cols * self.fold

    @property
    def pes(self) -> int:
        return self.rows * self.cols

    @property
    def elements_per_kstep(self) -> int:
        """Operands one k-step needs: a column of A and a row of B."""
        return self.tile_rows + self.tile_cols

    @property
    def elements_per_word(self) -> int:
        """Operands carried by one 16-bit input word {uio_in, ui_in}."""
        return INPUT_BITS_PER_CYCLE // self.in_width

    @property
    def words_per_kstep(self) -> int:
        """Input cycles that carry one k-step's operands (S)."""
        return ceil(self.elements_per_kstep / self.elements_per_word)

    @property
    def kstep_period(self) -> int:
        """Cycles between k-steps (P): limited by the input port or by the fold."""
        return max(self.words_per_kstep, self.fold)

    @property
    def peak_macs_per_cycle(self) -> int:
        return self.pes

    @property
    def sustained_macs_per_cycle(self) -> float:
        """MACs per cycle of a long back-to-back stream (readout is overlapped)."""
        return self.pes * self.fold / self.kstep_period

    @property
    def input_bytes_per_cycle(self) -> float:
        """Operand bytes per cycle the protocol carries while streaming."""
        return self.elements_per_kstep * self.in_width / 8 / self.kstep_period

    @property
    def acc_bytes(self) -> int:
        return ceil(self.acc_width / 8)

    @property
    def result_bytes(self) -> int:
        """Bytes one finished output tile takes on uo_out."""
        return self.tile_rows * self.tile_cols * self.acc_bytes

    @property
    def drain_cycles(self) -> int:
        """Cycles from a tile's last k-step issue to its results being captured."""
        return self.rows + self.cols + self.fold - 2

    @property
    def min_streaming_k(self) -> int:
        """Smallest K for which back-to-back tiles never overrun the readout.

        Tile t+1's first result capture comes K*P cycles after tile t's; tile
        t's readout reads its last byte ``drain_cycles + result_bytes - 1``
        cycles after that first capture, so it must be done by then.
        """
        return ceil((self.drain_cycles + self.result_bytes - 1) / self.kstep_period)

    def result_byte_cycle(self, start_cycle: int, tile: int, k: int, byte: int) -> int:
        """Cycle on which result ``byte`` of ``tile`` is on uo_out.

        ``start_cycle`` is the cycle the START command is on the pins; the
        burst's data words follow on the next cycles with no gaps.
        """
        # START is registered with the inputs (1 cycle) and decoded (1 cycle);
        # the last word of the tile's last k-step then issues it to the array.
        last_issue = start_cycle + 1 + (tile * k + k - 1) * self.kstep_period \
            + self.words_per_kstep
        return last_issue + self.drain_cycles + 2 + byte

    def shrink_hint(self, cell_area: float, budget: float) -> str:
        """The largest smaller array expected to fit ``budget`` um^2 of cells.
        Accumulators and their result registers dominate the area, so the
        estimate scales the cell area with the accumulator count
        rows*cols*fold; synthesis of the suggestion decides."""
        size = self.rows * self.cols * self.fold
        candidates = [(r * c * f, r * c, r, c, f)
                      for r in range(1, self.rows + 1) for c in range(1, self.cols + 1)
                      for f in range(1, self.fold + 1)
                      if cell_area * r * c * f / size <= budget]
        if not candidates:
            return ("even a 1x1 array with fold 1 is estimated not to fit; reduce "
                    "acc_width/in_width")
        _, _, rows, cols, fold = max(candidates)
        estimate = cell_area * rows * cols * fold / size
        return (f"shrink to --set rows={rows} --set cols={cols} --set fold={fold} "
                f"(estimated {estimate:,.0f} um^2 by scaling with the accumulator count)")

    # -- identity -------------------------------------------------------
    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def label(self) -> str:
        """The parameters a person reads first, e.g. 2x1f2-s8-acc20 (not unique)."""
        kind = "s" if self.signed else "u"
        return f"{self.rows}x{self.cols}f{self.fold}-{kind}{self.in_width}-acc{self.acc_width}"

    @property
    def tag(self) -> str:
        """Short, readable, unique name for this parameter set."""
        digest = hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True)
                                .encode()).hexdigest()[:6]
        return f"{self.label}-{digest}"


def _check_int(name: str, value, low: int, high: int, why: str = "") -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        allowed = f"an integer in {low}..{high}" + (f" ({why})" if why else "")
        raise SpecError(name, value, allowed)
