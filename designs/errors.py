"""Errors a user can cause with bad design parameters."""


class SpecError(ValueError):
    """A design parameter is out of range or inconsistent with the others."""

    def __init__(self, parameter: str, value, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"parameter {parameter}={value!r} is invalid: expected {allowed}")
