"""What an OpenAI-compatible server says about itself: its models and their context window, asked over plain HTTP.

`context_of(api_base, model)` asks `GET {api_base}/models` (vLLM: `max_model_len`; llama.cpp's llama-server:
`meta.n_ctx_train`, and `/props` for the window it really runs with; others: `context_length`, `n_ctx`) and
returns the window in tokens, or None when the server does not say. Only the standard library is used, with a
short time-out: a server that does not answer costs two seconds once, never the run.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

KEYS = ("max_model_len", "n_ctx", "context_length", "context_window", "max_context_length")


def get_json(url: str, key: str | None = None, timeout: float = 2.0) -> Any:
    """The JSON at `url`, or None (any failure: not listening, not JSON, an error status)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:
            return json.loads(resp.read(1_000_000) or b"null")
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _window(obj: Any) -> int | None:
    if not isinstance(obj, dict):
        return None
    for key in KEYS:
        value = obj.get(key)
        if isinstance(value, int) and value > 0:
            return value
    for nested in ("meta", "default_generation_settings", "settings"):
        found = _window(obj.get(nested))
        if found is not None:
            return found
    return None


def models(api_base: str, key: str | None = None) -> list[dict[str, Any]]:
    """The server's `/models` list (empty if it gives none)."""
    data = get_json(api_base.rstrip("/") + "/models", key)
    entries = data.get("data") if isinstance(data, dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def context_of(api_base: str, model: str = "", key: str | None = None) -> int | None:
    """The context window the server runs `model` with, in tokens (None when it does not say)."""
    root = api_base.rstrip("/").removesuffix("/v1")
    props = _window(get_json(root + "/props", key))  # llama-server: the window it was started with
    if props is not None:
        return props
    name = model.split("/", 1)[-1]
    listed = models(api_base, key)
    chosen = [e for e in listed if e.get("id") == name] or listed[:1]
    return _window(chosen[0]) if chosen else None
