"""Amaranth designs that tapeflow can take to a TinyTapeout tile."""
