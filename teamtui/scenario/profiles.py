"""Sim profiles: `[team.sim]` values fitted to a model's recorded runs (`teamtui calibrate`), named by a scenario.

A profile is a TOML file with a `[sim]` table (any `[team.sim]` keys) and a `[profile]` table saying where
the values come from (the runs, the date, the command, confidence intervals). A scenario names one with
`[team.sim] profile = "NAME"`, or with the model `"sim:NAME"` (so a sweep's `models` axis and `--model` can
name profiles too); the profile gives the defaults of every key the scenario's `[team.sim]` does not set.
`NAME` is looked up in `.teamtui/profiles/` (where `teamtui calibrate` writes), then among the profiles that
ship with teamtui; a name ending in `.toml` is a file relative to the scenario.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pydantic

from teamtui.core import files
from teamtui.core.errors import did_you_mean
from teamtui.scenario.model import non_finite
from teamtui.scenario.simconfig import SimConfig

SHIPPED = Path(__file__).resolve().parent / "profiles"


class ProfileError(ValueError):
    """A profile that cannot be found or read; its message is one line."""


def user_dir() -> Path:
    return Path(".teamtui") / "profiles"


def shipped() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def find(name: str, near: Path) -> Path:
    """The file of profile `name` (see the module docstring)."""
    if name.endswith(".toml"):
        path = files.inside(near, name)
        if path is None:
            raise ProfileError(f"profile {name!r} is outside the scenario's folder; a scenario may name only files "
                               "in its own folder: copy the profile next to the scenario")
        if not path.exists():
            raise ProfileError(f"no profile file {path}; give a file relative to the scenario")
        return path  # `load` refuses what is not a regular file
    for root in (user_dir(), SHIPPED):
        path = root / f"{name}.toml"
        if path.is_file():
            return path
    known = shipped()
    raise ProfileError(f'no sim profile "{name}"{did_you_mean(name, known)}; shipped: {", ".join(known)} '
                       f"(or fit one with teamtui calibrate)")


def load(path: Path) -> dict[str, Any]:
    """A profile file's whole contents (its `[sim]` values checked against `[team.sim]`'s schema)."""
    try:
        data = tomllib.loads(files.read_text(path, "sim profile", "give a profile written by teamtui calibrate"))
    except files.FileRefused as exc:
        raise ProfileError(str(exc)) from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc!s:.200})") from None
    sim = data.get("sim")
    if not isinstance(sim, dict) or "profile" in sim:
        raise ProfileError(f"{path}: a profile needs a [sim] table of [team.sim] keys (and no profile key in it)")
    if (bad := non_finite(sim)) is not None:
        raise ProfileError(f"{path}: [sim] {'.'.join(map(str, bad[0]))}: {bad[1]} is not allowed; give a finite "
                           "number")
    try:
        SimConfig.model_validate(sim)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ProfileError(f"{path}: [sim] {where}: {err['msg']}") from None
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def apply(sim: SimConfig, near: Path) -> SimConfig:
    """`sim` with its profile's values as the defaults of every key it does not set (itself without a profile)."""
    if sim.profile is None:
        return sim
    data = load(find(sim.profile, near))
    merged = _merge(data["sim"], sim.model_dump(exclude_unset=True))
    return SimConfig.model_validate(merged)


def split_model(model: str) -> tuple[str, str | None]:
    """"sim:NAME" -> ("sim", "NAME"); any other model -> (model, None)."""
    if model.startswith("sim:") and len(model) > 4:
        return "sim", model[4:]
    return model, None
