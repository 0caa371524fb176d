"""A user's own TinyTapeout project (info.yaml v6, src/, test/) as a design."""

from .spec import ProjectError, TtProjectSpec, load_project

__all__ = ["ProjectError", "TtProjectSpec", "load_project"]
