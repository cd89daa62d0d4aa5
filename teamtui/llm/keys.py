"""API keys checked before anything starts, without litellm: a missing key is one line in a fraction of a second.

Importing litellm takes seconds (tens of seconds on a busy machine), so the common mistake — a hosted model
without its key in the environment — is caught first, from the model id's provider prefix and the
variables that provider's client reads (the names litellm's own `validate_environment` checks). An agent
with `api_key_env` needs that variable; one with `api_base` (a local server) needs none; a provider not in
`PROVIDER_KEYS` is left to litellm's check, which runs next.
"""

from __future__ import annotations

import os

from teamtui.core.errors import RunError
from teamtui.scenario.spec import AgentSpec, Scenario

PROVIDER_KEYS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "mistral": ("MISTRAL_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "xai": ("XAI_API_KEY",),
    "cohere": ("COHERE_API_KEY",),
    "cohere_chat": ("COHERE_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "together_ai": ("TOGETHERAI_API_KEY",),
    "fireworks_ai": ("FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY", "FIREWORKSAI_API_KEY"),
    "perplexity": ("PERPLEXITYAI_API_KEY",),
    "deepinfra": ("DEEPINFRA_API_KEY",),
    "cerebras": ("CEREBRAS_API_KEY",),
    "huggingface": ("HUGGINGFACE_API_KEY",),
    "codestral": ("CODESTRAL_API_KEY",),
}
"""Provider prefix of a model id (`openai/gpt-4o-mini`) -> the variables that can hold its key (any one will do)."""

KEYLESS = frozenset({"ollama", "ollama_chat"})
"""Providers that run on this machine and need no key."""

BARE = (("gpt-", "openai"), ("o1", "openai"), ("o3", "openai"), ("o4", "openai"), ("claude-", "anthropic"))
"""Model ids without a prefix that litellm routes to a provider by their name."""


def provider_of(model: str) -> str | None:
    """The provider a model id names (its prefix, or a well-known bare name), or None."""
    if "/" in model:
        return model.split("/", 1)[0]
    return next((provider for start, provider in BARE if model.startswith(start)), None)


def missing_key(agent: AgentSpec) -> str | None:
    """Why this agent's model cannot be called for want of a key (one line), or None when it can or we cannot tell."""
    if agent.model == "sim" or agent.model.startswith("cassette:"):
        return None
    if agent.api_key_env:
        if os.environ.get(agent.api_key_env):
            return None
        return (f"model {agent.model!r} ({agent.name}): the environment variable {agent.api_key_env} (api_key_env) "
                f"is not set; export {agent.api_key_env}=<your key>")
    provider = provider_of(agent.model)
    if agent.api_base or provider is None or provider in KEYLESS or provider not in PROVIDER_KEYS:
        return None  # a local server, or a provider litellm's own check will judge
    names = PROVIDER_KEYS[provider]
    if any(os.environ.get(n) for n in names):
        return None
    either = " or ".join(names)
    return (f"model {agent.model!r}: the environment variable {either} is not set; export {names[0]}=<your key>, "
            "or name another variable with [team] api_key_env")


def check_keys(scenario: Scenario) -> None:
    """Raise a one-line `RunError` for the first agent whose key is missing (see the module docstring)."""
    for agent in scenario.agents:
        problem = missing_key(agent)
        if problem is not None:
            raise RunError(problem)
