"""Errors a user can cause with bad design parameters."""


class SpecError(ValueError):
    """A design parameter is out of range or inconsistent with the others."""

    def __init__(self, parameter: str, value, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        shown = repr(value)
        if len(shown) > 60:         # one line, even for a 5000-digit number
            shown = f"{shown[:40]}...({len(shown)} characters)"
        super().__init__(f"parameter {parameter}={shown} is invalid: expected {allowed}")
