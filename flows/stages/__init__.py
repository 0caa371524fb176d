"""The stages of the flow, in order."""

from .elaborate import Elaborate
from .lint import Lint
from .verify_rtl import VerifyRtl

FRONT_END = (Elaborate, Lint, VerifyRtl)


def default_flow():
    return [stage() for stage in FRONT_END]
