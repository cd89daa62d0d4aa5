"""`teamtui doctor MODEL [--api-base URL]`: one probe of a model's server, and the settings that will work with it."""

from __future__ import annotations

import os
import sys

import click

from teamtui.cli.common import guard


@click.command()
@click.argument("model")
@click.option("--api-base", "api_base", metavar="URL", help="The OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
@click.option("--api-key-env", "api_key_env", metavar="VAR", help="The environment variable holding its key.")
@guard
def doctor(model: str, api_base: str | None, api_key_env: str | None) -> None:
    """Probe MODEL (a litellm id, openai/NAME for a local server): is it reachable, its context window, tool calls
    or tags, usage in the stream, parallel calls, time-outs; one line each, with the setting to use.

    \b
    teamtui doctor openai/smollm2 --api-base http://127.0.0.1:8000/v1
    teamtui doctor ollama_chat/qwen2.5-coder:7b
    """
    from teamtui.core.errors import RunError
    from teamtui.core.printable import shown
    from teamtui.core.redact import register, scrub

    key = None
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            raise RunError(f"the environment variable {api_key_env} (--api-key-env) is not set; export it")
        register(key)
    from teamtui.llm import doctor as probe

    lines, ok = probe(model, api_base, key)
    for line in lines:
        click.echo(shown(scrub(line)))
    sys.exit(0 if ok else 2)
