"""What the `teamtui` commands share: one-line errors, the scenario and database options, loading a scenario.

Only click is imported here; everything heavy is imported inside the function that needs it, so that
`teamtui --help` stays instant.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def fail(message: str, code: int = 2) -> None:
    from teamtui.core.printable import shown
    from teamtui.core.redact import scrub

    click.echo(f"teamtui: {shown(scrub(message))}", err=True)
    sys.exit(code)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn teamtui's errors into one line and exit code 2 (an interrupted run: 130 or 143); Ctrl-C into 130."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from teamtui.core.errors import TeamtuiError

        try:
            return fn(*args, **kwargs)
        except TeamtuiError as exc:
            fail(str(exc), getattr(exc, "exit_code", 2))
        except KeyboardInterrupt:
            click.echo("teamtui: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # an internal error: one line, the traceback only on request
            if os.environ.get("TEAMTUI_DEBUG"):
                raise
            from teamtui.core.printable import shown
            from teamtui.core.redact import scrub

            click.echo(f"teamtui: internal error: {type(exc).__name__}: {shown(scrub(str(exc)))} "
                       "(set TEAMTUI_DEBUG=1 for the traceback, and please report it)", err=True)
            sys.exit(1)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


class FiniteFloat(click.FloatRange):
    """A click float range that also refuses nan and inf (a range alone lets nan through: it compares false)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        out = super().convert(value, param, ctx)
        if not math.isfinite(out):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return out


SEED = click.IntRange(0, 2**62)
"""A seed SQLite can store (a 64-bit signed integer), with room for a sweep's trials on top."""

scenario_arg = click.argument("scenario", type=click.Path(path_type=Path, dir_okay=False))


API_OPTIONS = [
    click.option("--api-base", "api_base", metavar="URL",
                 help="Override every agent's api_base: an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."),
    click.option("--api-key-env", "api_key_env", metavar="VAR",
                 help="Override every agent's api_key_env: the environment variable holding the server's key."),
]
"""--api-base and --api-key-env: on run, the monitor, sweep and rerun alike."""


def api_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(API_OPTIONS):
        fn = opt(fn)
    return fn


def overrides(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed([
        click.option("--seed", type=SEED, help="Override [scenario] seed."),
        click.option("--size", type=click.IntRange(1, 64), help="Override [team] size."),
        click.option("--arch", help="Override [team] architecture: preassigned, lead, decentralized."),
        click.option("--execution", type=click.Choice(["rounds", "async"]), help="Override [team] execution."),
        click.option("--p", "p", help="Override [task] p: 0.2, 0.5, 0.9 or serial, mixed, parallel."),
        click.option("--model", help="Override every agent's model: sim, or a litellm id (openai/gpt-4o-mini, "
                                     "ollama_chat/llama3.1, ...)."),
        *API_OPTIONS,
        click.option("--cassette", type=click.Path(path_type=Path, dir_okay=False),
                     help="Replay the completions recorded in this cassette (offline; same as --model cassette:PATH)."),
        click.option("--record-llm", "record_llm", type=click.Path(path_type=Path, dir_okay=False),
                     help="Record every completion of this real-model run to a cassette (JSON lines)."),
        click.option("--unsafe-host-exec", "unsafe_host_exec", is_flag=True, default=None,
                     help="Where no sandbox works (Landlock, user namespaces), run model-written code on the host "
                          "instead of refusing to start: it can then read and change your files."),
    ]):
        fn = opt(fn)
    return fn


DB_OPTIONS = [
    click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False),
                 help="The run database (default: $TEAMTUI_DB or .teamtui/runs.db)."),
    click.option("--no-record", is_flag=True, help="Do not record this run."),
]


def recording(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(DB_OPTIONS):
        fn = opt(fn)
    return fn


def db_path(db: Path | None, no_record: bool) -> Path | None:
    if no_record:
        return None
    from teamtui.store.schema import default_db

    return db or default_db()


def load(path: Path, seed: int | None, size: int | None, arch: str | None, execution: str | None,
          p: str | None, model: str | None = None, cassette: Path | None = None,
          record_llm: Path | None = None, unsafe_host_exec: bool | None = None, api_base: str | None = None,
          api_key_env: str | None = None) -> Any:
    from teamtui.core.errors import RunError
    from teamtui.scenario.load import load_scenario, with_overrides

    if cassette is not None:
        if model is not None:
            raise RunError("give --model or --cassette, not both")
        model = f"cassette:{cassette}"
    scenario = load_scenario(path)
    if any(v is not None for v in (seed, size, arch, execution, p, model, api_base, api_key_env)):
        scenario = with_overrides(scenario, seed=seed, size=size, arch=arch, execution=execution, p=p, model=model,
                                  api_base=api_base, api_key_env=api_key_env)
    return checked(scenario, record_llm, unsafe_host_exec)


def checked(scenario: Any, record_llm: Path | None = None, unsafe_host_exec: bool | None = None) -> Any:
    """A loaded scenario with --record-llm and --unsafe-host-exec applied, its real models' needs checked now."""
    from dataclasses import replace

    from teamtui.core.errors import RunError

    if record_llm is not None:
        if all(a.model == "sim" or a.model.startswith("cassette:") for a in scenario.agents):
            raise RunError("--record-llm records the completions of real models, and this team has none; "
                           "add --model PROVIDER/MODEL (or set [team] model)")
        scenario = replace(scenario, record_llm=str(record_llm))
    if unsafe_host_exec:
        scenario = replace(scenario, unsafe_host_exec=True)
    if any(a.model != "sim" for a in scenario.agents):
        from teamtui.llm import preflight
        from teamtui.runtime.sandbox import for_run

        for_run(True, True, scenario.unsafe_host_exec)  # a machine that cannot sandbox model code: one line now
        preflight(scenario)  # so is a missing API key (checked before litellm is imported) or cassette
    return scenario


def check_db(path: Path) -> None:
    import asyncio

    from teamtui.store.recorder import Recorder

    async def probe() -> None:
        rec = Recorder(path)
        try:
            await rec.open()
        finally:
            await rec.close()

    asyncio.run(probe())
    from teamtui.store.integrity import damage
    from teamtui.store.schema import RecorderError

    hurt = damage(path)
    if hurt is not None:  # writing into a damaged database can spread the damage
        raise RecorderError(f"{hurt.describe(path)}; no new run is recorded there")


db_option = click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False),
                          help="The run database (default: $TEAMTUI_DB or .teamtui/runs.db).")
