"""Pipeline delay lines used to skew operands into the array."""

from amaranth.hdl import Module, Signal, Value


def delayed(m: Module, value: Value, stages: int, *, name: str, reset_less: bool) -> Value:
    """``value`` seen ``stages`` clock cycles later (``value`` itself for 0)."""
    for stage in range(stages):
        register = Signal.like(value, name=f"{name}_d{stage + 1}", reset_less=reset_less)
        m.d.sync += register.eq(value)
        value = register
    return value
