"""Output-stationary systolic MAC array behind the TinyTapeout pins."""

from .spec import SystolicSpec
from .top import TinyTapeoutTop

__all__ = ["SystolicSpec", "TinyTapeoutTop"]
