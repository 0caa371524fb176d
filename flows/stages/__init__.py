"""The stages of the flow, in order."""

from .elaborate import Elaborate
from .harden import Harden
from .lint import Lint
from .signoff import Signoff
from .sta_post import StaPost
from .sta_pre import StaPre
from .synthesize import Synthesize
from .tile_fit import TileFit
from .verify_gl import VerifyGl, VerifyGlPostRoute
from .verify_rtl import VerifyRtl

FLOW = (Elaborate, Lint, VerifyRtl, Synthesize, TileFit, StaPre, VerifyGl, Harden, StaPost,
        Signoff, VerifyGlPostRoute)

__all__ = ["FLOW", "default_flow", *(stage.__name__ for stage in FLOW)]


def default_flow():
    return [stage() for stage in FLOW]
