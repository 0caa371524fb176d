// Pin-level stimulus player around a TinyTapeout top module (`TT_TOP`).
//
// The cocotb testbench writes one line per cycle to stimulus.hex
// ({ena, rst_n, uio_in, ui_in}), pulses `load`, raises `start` until
// `playing` rises, waits for `playing` to fall, pulses `dump` and reads
// outputs.hex: uo_out after each rising edge. Inputs change and outputs are sampled on the falling edge,
// half a cycle from the active edge, so RTL and gate-level runs agree.
// Python touches the simulator a few times per test instead of every cycle.
`timescale 1ns/1ps
`default_nettype none

module tapeflow_tb #(parameter DEPTH = 65536) (
    input  wire        clk,
    input  wire        load,
    input  wire        start,
    input  wire        dump,
    input  wire [31:0] length,
    output reg         playing
);
    reg  [7:0] ui_in, uio_in;
    reg        rst_n, ena;
    wire [7:0] uo_out, uio_out, uio_oe;

    `TT_TOP dut (
        .ui_in(ui_in), .uo_out(uo_out), .uio_in(uio_in), .uio_out(uio_out),
        .uio_oe(uio_oe), .ena(ena), .clk(clk), .rst_n(rst_n)
    );

    reg [17:0] stimulus [0:DEPTH-1];
    reg [7:0]  observed [0:DEPTH-1];
    reg [31:0] index;

    initial begin
        playing = 1'b0;
        index = 0;
        {ena, rst_n, uio_in, ui_in} = 18'h0;
    end

    always @(posedge load) $readmemh("stimulus.hex", stimulus);
    always @(posedge dump) $writememh("outputs.hex", observed, 0, length - 1);

    always @(negedge clk) begin
        if (!playing && start) begin
            playing <= 1'b1;
            index <= 1;
            {ena, rst_n, uio_in, ui_in} <= stimulus[0];
        end else if (playing) begin
            observed[index - 1] <= uo_out;
            if (index == length) begin
                playing <= 1'b0;
            end else begin
                {ena, rst_n, uio_in, ui_in} <= stimulus[index];
                index <= index + 1;
            end
        end
    end
endmodule
