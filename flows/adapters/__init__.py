"""Tool adapters: SiliconCompiler, Yosys, OpenSTA, magic/netgen, the PDK and
TinyTapeout's floorplan and corners, each in a module of its own."""
