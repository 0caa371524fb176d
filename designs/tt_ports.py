"""TinyTapeout's digital user-module ports (TINYTAPEOUT.md 1.3), exactly:
name -> (direction, width). The one table the built-in design's port check,
a TinyTapeout project's header check and its pin profile all read."""

TT_PORTS = {
    "clk": ("input", 1), "ena": ("input", 1), "rst_n": ("input", 1),
    "ui_in": ("input", 8), "uio_in": ("input", 8),
    "uo_out": ("output", 8), "uio_out": ("output", 8), "uio_oe": ("output", 8),
}
