"""LLM backends: the protocol, the simulated team, the scripted test backend, cassettes and (lazily) litellm."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teamtui.core.clock import Clock
    from teamtui.llm.base import Completion, LLMBackend, LLMRequest
    from teamtui.llm.chat import ChatSettings
    from teamtui.scenario.spec import Scenario


def chat_settings(scenario: Scenario) -> ChatSettings:
    from teamtui.llm.chat import ChatSettings

    return ChatSettings(protocol=scenario.protocol, prompts=dict(scenario.prompts),
                        history_turns=scenario.history_turns, max_tokens=scenario.max_tokens,
                        project=scenario.task.name,
                        size=scenario.size, team=tuple(a.name for a in scenario.agents))


class _ByModel:
    """Dispatches each call to the backend of the calling agent's model (teams may mix models)."""

    def __init__(self, backends: dict[str, LLMBackend]) -> None:
        self.backends = backends

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion:
        return await self.backends[request.model].complete(request, clock)

    def forget(self, agent: str) -> None:
        for b in self.backends.values():
            b.forget(agent)


def preflight(scenario: Scenario) -> None:
    """Check what a run's models need before it starts (API keys, cassette files); raises a one-line RunError."""
    models = sorted({a.model for a in scenario.agents})
    real = [m for m in models if m != "sim" and not m.startswith("cassette:")]
    if real:
        from teamtui.llm import keys, litellm_backend

        keys.check_keys(scenario)  # without litellm: a missing key is reported before its slow import
        litellm_backend.check_keys(scenario)
    for m in models:
        if m.startswith("cassette:"):
            from teamtui.llm.cassette import load

            load(_cassette_path(scenario, m))


def doctor(model: str, api_base: str | None, key: str | None) -> tuple[list[str], bool]:
    """`teamtui doctor`: probe a model's server (`teamtui.llm.doctor`) through litellm, loaded here lazily."""
    from teamtui.llm import litellm_backend
    from teamtui.llm.doctor import diagnose

    return diagnose(model, api_base, key, litellm_backend.load_litellm())


def _cassette_path(scenario: Scenario, model: str) -> Path:
    path = Path(model.removeprefix("cassette:"))
    if not path.is_absolute() and scenario.source:
        near = Path(scenario.source).parent / path
        path = near if near.exists() and not path.exists() else path
    return path


def make_backend(scenario: Scenario) -> LLMBackend:
    """The backend a scenario asks for: the sim team for model = "sim", a cassette replay for
    "cassette:PATH", litellm for any other model id (its API key is checked here, before the run)."""
    models = sorted({a.model for a in scenario.agents})
    if models == ["sim"]:
        from teamtui.llm.sim import SimBackend

        return SimBackend(scenario)
    backends: dict[str, LLMBackend] = {}
    real = [m for m in models if m != "sim" and not m.startswith("cassette:")]
    if real:
        from teamtui.llm import litellm_backend

        shared = litellm_backend.make(scenario, chat_settings(scenario))
        backends.update({m: shared for m in real})
    for m in models:
        if m == "sim":
            from teamtui.llm.sim import SimBackend

            backends[m] = SimBackend(scenario)
        elif m.startswith("cassette:"):
            from teamtui.llm.cassette import CassetteBackend

            backends[m] = CassetteBackend(_cassette_path(scenario, m), chat_settings(scenario))
    return backends[models[0]] if len(backends) == 1 and len(models) == 1 else _ByModel(backends)
