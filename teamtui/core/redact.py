"""Keeping secrets out of everything teamtui writes: API keys and Authorization headers are scrubbed.

`scrub(text)` replaces the value of every environment variable whose name says it holds a secret (KEY,
TOKEN, SECRET, PASSWORD...), any value registered with `register`, bearer tokens, `Authorization:`
headers and strings shaped like provider keys (sk-..., AKIA...). It is applied to every error message,
reply text and streamed chunk a model backend produces before it becomes an event.
"""

from __future__ import annotations

import os
import re

_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*)(\"?)[^\s\"',}]+(\s+[^\s\"',}]+)?"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"(?i)((?:api[_-]?key|x-api-key|access[_-]?token)\s*[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}"),
    re.compile(r"\bAKIA[0-9A-Z]{12,}"),
    re.compile(r"\bAIza[0-9A-Za-z_-]{20,}"),
]
_registered: set[str] = set()
MASK = "[redacted]"


def register(value: str | None) -> None:
    """Also scrub this exact value from now on (an API key teamtui was given)."""
    if value and len(value) >= 4:
        _registered.add(value)
        refresh()


_values: list[str] | None = None


def refresh() -> None:
    """Read the environment's secrets again (a backend calls this when it starts)."""
    global _values
    _values = None


def _secret_values() -> list[str]:
    """Secret values, longest first: read once, then again after `refresh` or `register`."""
    global _values
    if _values is None:
        env = {v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= 6}
        _values = sorted(env | _registered, key=len, reverse=True)
    return _values


def scrub(text: str) -> str:
    """The text with every secret it contains replaced by "[redacted]"."""
    if not text:
        return text
    for value in _secret_values():
        if value in text:
            text = text.replace(value, MASK)
    text = _PATTERNS[0].sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _PATTERNS[1].sub(lambda m: m.group(1) + MASK, text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + MASK, text)
    for pat in _PATTERNS[3:]:
        text = pat.sub(MASK, text)
    return text
