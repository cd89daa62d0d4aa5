"""Where a calibration's profile goes and what it says: `[sim]` values and a `[profile]` table of provenance.

By default `.teamtui/profiles/<name>.toml`, where `teamtui.scenario.profiles` looks first, with the name taken
from the model (`anthropic/claude-sonnet-4-6` -> `claude-sonnet-4-6`); `--name NAME` or `-o FILE` choose
another, and when several models are fitted at once each file's name gets its model's name appended.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import teamtui
from teamtui.scenario import profiles
from teamtui.scenario.tomlw import dumps


def model_slug(model: str) -> str:
    tail = model.rsplit("/", 1)[-1] or model
    return re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-.") or "profile"


def profile_path(model: str, output: Path | None, name: str | None, several: bool) -> Path:
    """The profile file for `model` (see the module docstring)."""
    if output is not None:
        return output.with_name(f"{output.stem}-{model_slug(model)}{output.suffix or '.toml'}") if several else output
    stem = f"{name}-{model_slug(model)}" if name and several else name or model_slug(model)
    return profiles.user_dir() / f"{stem}.toml"


def cache_path(profile: Path) -> Path:
    """The evaluation cache kept next to a profile (`--resume` reads it)."""
    return profile.with_name(profile.stem + ".calibrate-cache.jsonl")


def profile_text(sim: dict[str, Any], provenance: dict[str, Any]) -> str:
    head = (f"# A sim profile fitted by teamtui calibrate to {provenance.get('runs')} recorded runs of "
            f"{provenance.get('model')}.\n# Use it with [team.sim] profile = \"NAME\" or model = \"sim:NAME\"; "
            "[profile] says where the values come from.\n\n")
    return head + dumps({"sim": sim, "profile": provenance})


def provenance(model: str, runs: int, selection: str, command: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "runs": runs, "selection": selection,
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "command": command,
            "teamtui_version": teamtui.__version__, **extra}


def write_profile(path: Path, sim: dict[str, Any], prov: dict[str, Any]) -> Path:
    """Write the profile and check that teamtui reads it back as a profile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(profile_text(sim, prov), encoding="utf-8")
    profiles.load(tmp)
    tmp.replace(path)
    return path
