"""`teamtui serve`: the monitor in a browser — a live run of a scenario, or a recorded run's replay.

The server (textual-serve, the `web` extra) runs `python -m teamtui watch ...` or `... replay ...` with the same
Python once per browser connection, so each tab gets its own run (recorded like any watched run) or replay.
Everything is checked here first — the scenario, the database, the run, then the extra — so bad input is one
line and exit 2 before any socket opens.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Any

import click

from teamtui.cli.common import FiniteFloat, check_db, db_path, fail, guard, load, overrides, recording

WEB_EXTRA = "pip install -e '.[web]' (or pip install 'teamtui[web]')"
WILDCARDS = {"0.0.0.0", "::", ""}


@click.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replay", "replay_ref", metavar="RUN",
              help="Serve the replay of a recorded RUN (an id, a unique prefix of one, or latest) instead.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but a loopback address lets others on the network in.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port to listen on.")
@click.option("--public-url", "public_url", metavar="URL",
              help="The address browsers use to reach the server (behind a proxy, or with --host 0.0.0.0); "
                   "default http://HOST:PORT.")
@click.option("--speed", type=FiniteFloat(min=0, min_open=True),
              help="Run-clock seconds per wall-clock second, as for watch and replay (default 1; a replay: "
                   "0.125 to 64).")
@overrides
@recording
@guard
def serve(scenario: Path | None, replay_ref: str | None, host: str, port: int, public_url: str | None,
          speed: float | None, db: Path | None, no_record: bool, **over: Any) -> None:
    """Serve the monitor of SCENARIO (a new live run per browser tab) or of --replay RUN at http://HOST:PORT.

    \b
    teamtui serve scenarios/quickstart.toml
    teamtui serve --replay latest --port 8001"""
    if (scenario is None) == (replay_ref is None):
        fail("serve takes a SCENARIO.toml or --replay RUN (one of the two); see teamtui serve --help")
    if scenario is not None:
        load(scenario, **over)  # a bad scenario fails here, before the server starts
        database = db_path(db, no_record)
        if database is not None:
            check_db(database)
        argv = watch_argv(scenario, speed, over, database, serve.params)
        what, title = f"the monitor of {scenario} (each browser tab starts its own run)", f"teamtui {scenario.name}"
    else:
        argv = replay_argv(str(replay_ref), db, no_record, speed, over)
        what = title = f"the replay of run {argv[argv.index('replay') + 1]}"
    try:
        from teamtui.cli import webserve
    except ImportError as exc:  # the web extra is not installed (or is broken): say what to install
        fail(f"serve needs the web extra ({exc.name or exc} is missing): {WEB_EXTRA}")
    warning = exposure(host, port)
    if warning:
        click.echo(f"teamtui: warning: {warning}", err=True)
    url = public_url or f"http://{_url_host(host)}:{port}"

    def announce() -> None:
        where = f" (listening on {host}:{port})" if public_url else ""
        click.echo(f"teamtui: serving {what} at {url}{where} (Ctrl+C stops)")
        sys.stdout.flush()

    try:
        webserve.serve(argv, host, port, url, title, announce)
    except OSError as exc:  # the port is taken, the host is not this machine's, ...
        fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}; pick another --port (or --host)")


def watch_argv(scenario: Path, speed: float | None, over: dict[str, Any], database: Path | None,
               params: list[click.Parameter]) -> list[str]:
    """`python -m teamtui watch SCENARIO ...` with serve's scenario overrides (`params`: serve's own) passed on."""
    argv = [sys.executable, "-m", "teamtui", "watch", str(scenario.resolve()), "--speed", repr(speed or 1.0)]
    for param in params:
        value = over.get(param.name or "")
        if value is None or value is False:
            continue
        flag = max(param.opts, key=len)  # the long form
        if isinstance(param, click.Option) and param.is_flag:
            argv.append(flag)
        else:
            argv += [flag, str(value.resolve() if isinstance(value, Path) else value)]
    return argv + (["--no-record"] if database is None else ["--db", str(database.resolve())])


def exposure(host: str, port: int) -> str:
    """The warning for a --host that is not a loopback address ("" for one that is)."""
    if _loopback(host):
        return ""
    return (f"--host {host} is not a loopback address: anyone who can reach port {port} of this machine can open "
            "the monitor and drive it (inject faults, quit the run); there is no login")


def replay_argv(ref: str, db: Path | None, no_record: bool, speed: float | None, over: dict[str, Any]) -> list[str]:
    """`python -m teamtui replay RUN --db DB --speed S` for a run that exists and can be read (checked once, here)."""
    from teamtui.store.integrity import readable
    from teamtui.store.reader import resolve_run
    from teamtui.store.schema import default_db

    given = [name for name, value in over.items() if value not in (None, False)]
    if given or no_record:
        flag = "--" + (given[0] if given else "no_record").replace("_", "-")
        fail(f"{flag} applies to a live run of a scenario, not to --replay (a replay shows the run as recorded)")
    if speed is not None and not 0.125 <= speed <= 64:
        fail(f"--speed {speed:g}: a replay plays at 0.125 to 64 times its run's pace")
    path = (db or default_db()).resolve()
    run_id = resolve_run(path, ref)
    readable(path, run_id)
    return [sys.executable, "-m", "teamtui", "replay", run_id, "--db", str(path), "--speed", repr(speed or 1.0)]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may well be reachable from elsewhere
        return False


def _url_host(host: str) -> str:
    """How `host` appears in a URL: a wildcard as this machine's name, an IPv6 address in brackets."""
    if host in WILDCARDS:
        import socket

        return socket.gethostname()
    return f"[{host}]" if ":" in host else host
