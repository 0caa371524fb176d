"""The stages of the flow, in order."""

from .elaborate import Elaborate
from .harden import Harden
from .lint import Lint
from .project import ProjectProfile, ProjectSources
from .project_tests import ProjectTest, ProjectTestGl, ProjectTestGlPostRoute
from .signoff import Signoff
from .sta_post import StaPost
from .sta_pre import StaPre
from .synthesize import Synthesize
from .tile_fit import TileFit
from .verify_gl import VerifyGl, VerifyGlPostRoute
from .verify_rtl import VerifyRtl

FLOW = (Elaborate, Lint, VerifyRtl, Synthesize, TileFit, StaPre, VerifyGl, Harden, StaPost,
        Signoff, VerifyGlPostRoute)

#: A TinyTapeout project's flow: its own test in place of the accelerator's
#: golden-model regressions, and a profile of the netlist for L5.
PROJECT_FLOW = (ProjectSources, Lint, ProjectTest, Synthesize, TileFit, ProjectProfile, StaPre,
                ProjectTestGl, Harden, StaPost, Signoff, ProjectTestGlPostRoute)
#: Every stage name either flow has, in flow order (what --until accepts).
STAGE_NAMES = list(dict.fromkeys(stage.name for stage in FLOW + PROJECT_FLOW))

__all__ = ["FLOW", "PROJECT_FLOW", "STAGE_NAMES", "default_flow", "flow_for", "project_flow",
           *(stage.__name__ for stage in FLOW + PROJECT_FLOW)]


def default_flow():
    return [stage() for stage in FLOW]


def flow_for(design: str, spec):
    """The stages of ``design``'s flow: a TinyTapeout project's, or a
    built-in design's."""
    from tapeflow.designs.registry import PROJECT_DESIGN
    return project_flow(spec) if design == PROJECT_DESIGN else default_flow()


def project_flow(spec):
    """The stages for a TinyTapeout project: those that read its folder
    (sources, tests) are made with its spec, so its files are their data."""
    return [stage(spec) if issubclass(stage, (ProjectSources, ProjectTest)) else stage()
            for stage in PROJECT_FLOW]
