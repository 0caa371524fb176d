"""Golden models, cocotb testbenches and the simulator runner."""
