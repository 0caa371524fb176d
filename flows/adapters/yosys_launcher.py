"""A ``yosys`` executable for SiliconCompiler, built on the pyosys wheel.

SiliconCompiler runs ``yosys -c script.tcl`` and needs Yosys >= 0.48 with Tcl.
pyosys is native Yosys without a Tcl interpreter, so this launcher runs the
script in Python's own Tcl (tkinter) and registers the commands Yosys' Tcl
mode provides: ``yosys <pass> <args...>`` (each Tcl word one argument; the
``tee -s result.string`` output becomes the command's result, as in Yosys)
and the ``rtlil::has_attr/get_attr/set_attr`` module-attribute helpers SC's
scripts use. A failing pass ends the process with Yosys' own ERROR line.
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import sys
from pathlib import Path

from .tools import write_alias


def _escape(name: str) -> str:
    return name if name.startswith(("\\", "$")) else "\\" + name


class YosysTcl:
    def __init__(self):
        import tkinter
        from pyosys import libyosys as ys

        self.ys = ys
        ys.yosys_setup()
        self.design = ys.yosys_get_design()
        self.tcl = tkinter.Tcl()
        self.tcl.createcommand("yosys", self.yosys)
        self.tcl.createcommand("rtlil::has_attr", self.has_attr)
        self.tcl.createcommand("rtlil::get_attr", self.get_attr)
        self.tcl.createcommand("rtlil::set_attr", self.set_attr)

    # -- Tcl commands ----------------------------------------------------------
    def yosys(self, *args: str) -> str:
        if not args:
            return ""
        self.ys.Pass.call(self.design, list(args))
        pad = self.design.scratchpad
        if "result.string" in pad:
            result = self.design.scratchpad_get_string("result.string")
            self.design.scratchpad_unset("result.string")
            return result
        return ""

    def _module_attribute(self, args: tuple[str, ...], values: int):
        """Split ``[-mod] [-string|-int|-sint|-uint] <module> <attr> [value]``."""
        flags = [a for a in args if a.startswith("-")]
        names = [a for a in args if not a.startswith("-")]
        if "-mod" not in flags or len(names) != 2 + values:
            raise ValueError(f"rtlil attribute helpers need -mod <module> <attribute>: {args}")
        module = self.design.module(self.ys.IdString(_escape(names[0])))
        if module is None:
            raise ValueError(f"no module {names[0]!r}")
        kind = next((f for f in flags if f != "-mod"), "-int")
        return module, self.ys.IdString(_escape(names[1])), kind, names[2:]

    def has_attr(self, *args: str) -> str:
        module, attribute, _, _ = self._module_attribute(args, 0)
        return "1" if module.has_attribute(attribute) else "0"

    def get_attr(self, *args: str) -> str:
        module, attribute, kind, _ = self._module_attribute(args, 0)
        if kind == "-string":
            return module.get_string_attribute(attribute)
        value = module.attributes[attribute]
        return str(value.as_int(kind == "-sint"))

    def set_attr(self, *args: str) -> str:
        module, attribute, kind, (value,) = self._module_attribute(args, 1)
        if kind == "-string":
            module.set_string_attribute(attribute, value)
        else:
            attributes = module.attributes     # a copy: write it back
            attributes[attribute] = self.ys.Const(int(value), 32)
            module.attributes = attributes
        return ""

    # -- entry points ------------------------------------------------------------
    def source(self, script: str, script_args: list[str]) -> None:
        self.tcl.setvar("argv0", script)
        self.tcl.setvar("argc", str(len(script_args)))
        self.tcl.eval("set argv [list " + " ".join("{%s}" % a for a in script_args) + "]")
        self.tcl.eval("source {%s}" % script)


def version() -> str:
    from pyosys import libyosys as ys
    return ys.yosys_maybe_version()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="yosys", description="Yosys (pyosys) with Tcl scripts, for SiliconCompiler.")
    parser.add_argument("-V", "--version", action="store_true", help="print the Yosys version")
    parser.add_argument("-c", dest="script", help="run a Tcl script")
    parser.add_argument("-p", dest="commands", help="run Yosys commands (; separated)")
    parser.add_argument("-q", action="store_true", help="accepted for compatibility")
    parser.add_argument("script_args", nargs="*")
    args = parser.parse_args(argv)
    if args.version:
        print(version())
        return 0
    if not args.script and not args.commands:
        parser.error("give -c <script.tcl> or -p <commands>; no interactive shell")
    import tkinter
    shell = YosysTcl()
    try:
        if args.commands:
            shell.ys.run_pass(args.commands, shell.design)
        if args.script:
            shell.source(args.script, args.script_args)
    except tkinter.TclError as error:
        print(f"ERROR: {error}", flush=True)
        return 1
    return 0


def write_shim(folder: Path) -> Path:
    """A ``yosys`` executable in ``folder`` that runs this launcher with the
    current Python, for tools (SiliconCompiler) that look Yosys up by name."""
    return write_alias(folder, "yosys", f"{shlex.quote(sys.executable)} -m {__name__}")


def pyosys_available() -> bool:
    return importlib.util.find_spec("pyosys") is not None


if __name__ == "__main__":
    sys.exit(main())
