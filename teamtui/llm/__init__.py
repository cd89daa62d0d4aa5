"""LLM backends: the protocol, the simulated team, the scripted test backend and (lazily) litellm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teamtui.errors import RunError

if TYPE_CHECKING:
    from teamtui.llm.base import LLMBackend
    from teamtui.scenario import Scenario


def make_backend(scenario: Scenario) -> LLMBackend:
    """The backend a scenario asks for: the sim team for model = "sim"."""
    models = {a.model for a in scenario.agents}
    if models == {"sim"}:
        from teamtui.llm.sim import SimBackend

        return SimBackend(scenario)
    real = sorted(m for m in models if m != "sim")
    raise RunError(f"model {real[0]!r}: real models through litellm are not available in this version yet; "
                   'use model = "sim" (the built-in simulated team)')
