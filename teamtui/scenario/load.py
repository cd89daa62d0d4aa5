"""Scenario files: TOML read with tomllib, validated with pydantic, resolved into one frozen `Scenario`.

`load_scenario(path)` is the only entry point. Every mistake raises `ScenarioError` whose message is one
line: the file, the line (where it can be found), the key path, the bad value and what is allowed.
Checks that need the whole file (agent names in faults, fault times inside the run, the task DAG) run
after the per-key validation, on the resolved model.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any, assert_never

import pydantic

from teamtui.core import breakpoints, files
from teamtui.core.aim import DEFAULT_TIMEOUT_S, SELECTORS, static_problem
from teamtui.core.errors import ScenarioError, TaskPackError, did_you_mean, key_path, locate
from teamtui.core.faults import (
    Delay,
    Drop,
    Duplicate,
    Fault,
    Heal,
    Kill,
    Partition,
    Restart,
    Resume,
    Scheduled,
    SlowNetwork,
    Stall,
    Undelay,
)
from teamtui.scenario import profiles
from teamtui.scenario.architectures import ARCHITECTURES
from teamtui.scenario.model import FaultDef, ScenarioFile, every_non_finite, outside
from teamtui.scenario.simconfig import SimConfig
from teamtui.scenario.spec import AgentSpec, Scenario, TestLimits
from teamtui.scenario.tasks import Subtask, TaskGraph, find_pack, load_pack, load_paper_json, parse_p

DEFAULT_NAMES = ("ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kai", "lu",
                 "max", "ned", "oz", "pia")


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and resolve a scenario file (raises `ScenarioError`)."""
    path = Path(path)
    try:
        text = files.read_text(path, "scenario file", "check the path (scenarios ship in scenarios/)")
    except files.FileRefused as exc:
        raise ScenarioError(path, exc.detail) from None
    return parse_scenario(text, path)


def parse_scenario(text: str, path: Path) -> Scenario:
    """Validate scenario TOML text; `path` names it in errors and anchors relative task paths."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(path, "arrays or tables nested too deeply; this is not a scenario file") from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        msg = str(exc).split(" (at line")[0]
        raise ScenarioError(path, f"TOML syntax error: {msg}; fix the syntax (see scenarios/quickstart.toml)",
                            line=line) from None
    return _validate(data, text, path)


def scenario_from_data(data: dict[str, Any], text: str, path: Path) -> Scenario:
    """Validate already-parsed scenario data (`text` is kept as the scenario's text; errors name `path`)."""
    return _validate(data, text, path)


def _validate(data: dict[str, Any], text: str, path: Path) -> Scenario:
    """Every per-key problem of the file at once (non-finite numbers, then the model's checks, one per key);
    the checks that need the whole file run once each key is valid."""
    problems = [ScenarioError(path, f"{value} is not allowed: give a finite number", key=key_path(where),
                              line=locate(text, where)) for where, value in every_non_finite(data)]
    try:
        model = ScenarioFile.model_validate(data)
    except pydantic.ValidationError as exc:
        seen = {p.key for p in problems}
        for err in exc.errors():
            problem = _from_pydantic(err, text, path)
            if problem.key not in seen:  # one line per key (a union type fails once per member type)
                seen.add(problem.key)
                problems.append(problem)
    if problems:  # in the file's order
        raise ScenarioError.of(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
    return _resolve(model, text, path)


def _from_pydantic(err: Any, text: str, path: Path) -> ScenarioError:
    """One line for one of pydantic's errors (an `ErrorDetails`)."""
    loc = [p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or "[" in p))]
    if len(loc) > 1 and loc[-1] in ("str", "int", "float", "bool"):  # a union member's name, not a key
        loc = loc[:-1]
    key = key_path(loc)
    line = locate(text, loc)
    if err["type"] == "extra_forbidden":
        parent_loc = loc[:-1]
        allowed = _allowed_keys(parent_loc)
        name = str(loc[-1])
        hint = did_you_mean(name, allowed)
        return ScenarioError(path, f'unknown key "{name}"{hint}; allowed here: {", ".join(allowed)}',
                             key=key, line=line)
    if err["type"] == "missing":
        what = "a [task] table: pack = ..., path = ... or [[task.subtasks]]" if loc == ["task"] else f'"{loc[-1]}"'
        return ScenarioError(path, f"is missing; add {what}", key=key, line=line)
    value = err.get("input")
    shown = repr(value)
    msg = err["msg"].replace("Input should be", "must be").replace("Value error, ", "")
    for long, short in (("greater than or equal to", "at least"), ("less than or equal to", "at most"),
                        ("greater than", "more than"), ("less than", "under")):
        msg = msg.replace(long, short)
    if isinstance(value, dict):  # a check of the whole table: its message says what is wrong
        return ScenarioError(path, msg, key=key, line=line)
    return ScenarioError(path, f"{shown} is not allowed: {msg}", key=key, line=line)


def _allowed_keys(loc: list[str | int]) -> list[str]:
    """The keys the model accepts at a key path, for 'did you mean' and the allowed list."""
    model: Any = ScenarioFile
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        ann = field.annotation
        for cand in (ann, *getattr(ann, "__args__", ())):
            inner = getattr(cand, "__args__", None)
            for c in (cand, *(inner or ())):
                if isinstance(c, type) and issubclass(c, pydantic.BaseModel):
                    model = c
                    break
    return sorted(model.model_fields)


def _resolve(m: ScenarioFile, text: str, path: Path) -> Scenario:
    def fail(loc: list[str | int], message: str) -> ScenarioError:
        return ScenarioError(path, message, key=key_path(loc), line=locate(text, loc))

    arch = ARCHITECTURES[m.team.architecture]
    size = m.team.size
    if len(m.agents) > size:
        raise fail(["agents"], f"{len(m.agents)} [[agents]] entries but team.size = {size}; "
                               "raise size or remove entries")
    if size < arch.min_size:
        raise fail(["team", "size"], f"{size} is too small for architecture {arch.name}: needs at least "
                                     f"{arch.min_size} agents")
    roles = arch.roles(size)
    team_model, sim = _sim_of(m, path, fail)
    agents: list[AgentSpec] = []
    for i in range(size):
        over = m.agents[i] if i < len(m.agents) else None
        name = (over.name if over and over.name else DEFAULT_NAMES[i % len(DEFAULT_NAMES)]
                + ("" if i < len(DEFAULT_NAMES) else str(i // len(DEFAULT_NAMES))))
        agents.append(AgentSpec(name=name, role=(over.role if over and over.role else roles[i]),
                                model=(profiles.split_model(over.model)[0] if over and over.model else team_model),
                                slowdown=(over.slowdown if over else 1.0),
                                api_base=(over.api_base if over and over.api_base else m.team.api_base),
                                api_key_env=(over.api_key_env if over and over.api_key_env else m.team.api_key_env)))
    names = [a.name for a in agents]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise fail(["agents"], f'agent name "{dup}" is used twice; names must be unique')
    task = _load_task(m, path, fail)
    faults = tuple(_resolve_fault(i, f, names, m, fail, [a.role for a in agents]) for i, f in enumerate(m.faults))
    lim = m.limits
    return Scenario(
        name=m.scenario.name, description=m.scenario.description, seed=m.scenario.seed,
        architecture=m.team.architecture, execution=m.team.execution, consistency=m.team.consistency,
        model=team_model, api_base=m.team.api_base, lead_failover=m.team.lead_failover,
        agents=tuple(agents), task=task, faults=faults, sim=sim,
        max_rounds=lim.max_rounds, max_time_s=lim.max_time_s, lease_s=lim.lease_s,
        stall_after_s=lim.stall_after_s, straggler_factor=lim.straggler_factor, budget_usd=lim.budget_usd,
        latency_s=m.network.latency_s, source=str(path), text=text,
        api_key_env=m.team.api_key_env, protocol=m.team.protocol, prompts=_prompts(m, path, fail),
        temperature=m.team.temperature, max_tokens=m.team.max_tokens, timeout_s=m.team.timeout_s,
        retries=m.team.retries, history_turns=m.team.history_turns, context_tokens=m.team.context_tokens,
        parallel_calls=m.team.parallel_calls,
        test_limits=TestLimits(timeout_s=lim.test_timeout_s, memory_mb=lim.test_memory_mb),
        unsafe_host_exec=lim.unsafe_host_exec,
        breakpoints=tuple(breakpoints.build(b.kind, pattern=b.pattern, times=b.times, usd=b.usd, after_s=b.after_s)
                          for b in m.breakpoints),
    )


def _sim_of(m: ScenarioFile, path: Path, fail: Any) -> tuple[str, SimConfig]:
    """The team's model and sim config, with a sim profile applied: `[team.sim] profile`, or "sim:NAME" as the
    team's (or agents') model, which then means the sim."""
    team_model, named = profiles.split_model(m.team.model)
    named_by_agents = {profiles.split_model(a.model)[1] for a in m.agents if a.model} - {None}
    if len(named_by_agents | ({named} if named else set())) > 1:
        raise fail(["agents"], "agents name different sim profiles; one team has one [team.sim]")
    named = named or next(iter(named_by_agents), None)
    sim = m.team.sim
    if named is not None:
        if sim.profile not in (None, named):
            raise fail(["team", "sim", "profile"], f'"{sim.profile}" but the model names profile "{named}"; '
                                                   "name one")
        sim = SimConfig.model_validate({**sim.model_dump(exclude_unset=True), "profile": named})
    try:
        return team_model, profiles.apply(sim, path.parent)
    except profiles.ProfileError as exc:
        loc: list[str | int] = ["team", "sim", "profile"] if m.team.sim.profile else ["team", "model"]
        raise fail(loc, str(exc)) from None


def _prompts(m: ScenarioFile, path: Path, fail: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for role in ("lead", "worker", "peer"):
        rel = getattr(m.team.prompts, role)
        if rel is None:
            continue
        file = files.inside(path.parent, rel)
        if file is None:
            raise fail(["team", "prompts", role], outside(rel))
        try:
            out.append((role, files.read_text(file, "prompt file", "give a Markdown file relative to the scenario "
                                                                   "(see docs/prompts.md)")))
        except files.FileRefused as exc:
            raise fail(["team", "prompts", role], f"{rel!r}: {exc.detail}") from None
    return tuple(out)


def _load_task(m: ScenarioFile, path: Path, fail: Any) -> TaskGraph:
    t = m.task
    try:
        if t.subtasks:
            graph = TaskGraph(
                name=m.scenario.name,
                subtasks=tuple(Subtask(id=s.id, file=s.file or f"{s.id}.py", depends_on=tuple(s.depends_on),
                                       work=s.work, spec=s.spec, title=s.title or s.id, symbol=s.symbol or s.id)
                               for s in t.subtasks))
        elif t.path:
            task_file = files.inside(path.parent, t.path)
            if task_file is None:
                raise fail(["task", "path"], outside(t.path))
            graph = load_paper_json(task_file)
        else:
            graph = load_pack(find_pack(t.pack or "", near=path.parent), t.p)
    except TaskPackError as exc:
        loc: list[str | int] = ["task", "subtasks" if t.subtasks else "path" if t.path else
                                ("p" if "variant" in str(exc) else "pack")]
        raise fail(loc, str(exc)) from None
    if not graph.subtasks:
        raise fail(["task"], "the task has no subtasks")
    if t.p is not None and t.subtasks:
        try:
            graph = replace(graph, p_declared=parse_p(t.p))
        except ValueError as exc:
            raise fail(["task", "p"], str(exc)) from None
    return graph


def _resolve_fault(i: int, f: FaultDef, names: list[str], m: ScenarioFile, fail: Any,
                   roles: list[str] | None = None) -> Scheduled:
    agent = aim = ""
    if f.agent is not None:
        if isinstance(f.agent, int):
            if not 1 <= f.agent <= len(names):
                raise fail(["faults", i, "agent"], f"agent {f.agent} does not exist: positions run from 1 to "
                                                   f"{len(names)} ({', '.join(names)})")
            agent = names[f.agent - 1]
        elif f.agent in SELECTORS:
            if f.agent in names:
                raise fail(["faults", i, "agent"], f'"{f.agent}" is both an agent\'s name and a selector; aim at '
                                                   f"the agent by its position ({names.index(f.agent) + 1}) instead")
            problem = static_problem(f.agent, roles or [])
            if problem:
                raise fail(["faults", i, "agent"], problem)
            aim = f.agent
        elif f.agent not in names:
            hint = did_you_mean(f.agent, [*names, *SELECTORS])
            raise fail(["faults", i, "agent"], f'no agent named "{f.agent}"{hint}; '
                                               f"agents: {', '.join(names)}; or a position from 1, or a selector: "
                                               f"{', '.join(SELECTORS)}")
        else:
            agent = f.agent
    if f.at is not None and f.at > m.limits.max_time_s:
        raise fail(["faults", i, "at"], f"{f.at} is after the run's end (limits.max_time_s = "
                                        f"{m.limits.max_time_s}); use a time between 0 and that")
    if f.round is not None:
        if m.team.execution != "rounds":
            raise fail(["faults", i, "round"], "round = only works with execution = \"rounds\"; use at = seconds")
        if f.round > m.limits.max_rounds:
            raise fail(["faults", i, "round"], f"{f.round} is after the last round (limits.max_rounds = "
                                               f"{m.limits.max_rounds})")
    groups: list[tuple[str, ...]] = []
    for gi, group in enumerate(f.groups or []):
        resolved = []
        for member in group:
            if isinstance(member, int):
                if not 1 <= member <= len(names):
                    raise fail(["faults", i, "groups"], f"group {gi + 1} names agent {member}, which does not exist")
                resolved.append(names[member - 1])
            elif member not in names:
                raise fail(["faults", i, "groups"], f'group {gi + 1} names unknown agent "{member}"'
                                                    f"{did_you_mean(member, names)}")
            else:
                resolved.append(member)
        groups.append(tuple(resolved))
    timeout = (f.timeout_s or DEFAULT_TIMEOUT_S) if f.when == "holding" else None
    return Scheduled(_fault_of(f, agent, tuple(groups)), at=f.at, round=f.round, aim=aim, when=f.when or "now",
                     timeout_s=timeout)


def _fault_of(f: FaultDef, agent: str, groups: tuple[tuple[str, ...], ...]) -> Fault:
    """The fault class of a validated `[[faults]]` entry (the model has checked what each action needs)."""
    match f.action:
        case "kill":
            return Kill(agent)
        case "restart":
            return Restart(agent)
        case "delay":
            return Delay(agent, factor=f.factor, seconds=f.seconds, latency_s=f.latency_s)
        case "undelay":
            return Undelay(agent)
        case "stall":
            return Stall(agent, seconds=f.seconds)
        case "resume":
            return Resume(agent)
        case "partition":
            return Partition(groups, seconds=f.seconds, agent=agent)
        case "heal":
            return Heal()
        case "drop":
            return Drop(_needed(f.rate), seconds=f.seconds)
        case "duplicate":
            return Duplicate(_needed(f.rate), seconds=f.seconds)
        case "slow_network":
            return SlowNetwork(_needed(f.latency_s), seconds=f.seconds)
    assert_never(f.action)


def _needed(value: float | None) -> float:
    if value is None:  # FaultDef's validator rejects a fault without the setting its action needs
        raise AssertionError("a validated fault lacks a required setting")
    return value


def with_overrides(s: Scenario, *, seed: int | None = None, size: int | None = None, arch: str | None = None,
                   execution: str | None = None, p: str | None = None, model: str | None = None,
                   api_base: str | None = None, api_key_env: str | None = None) -> Scenario:
    """The scenario re-validated with CLI overrides applied to its TOML data. Its `text` is then the TOML
    of what will run (written anew, without the file's comments), so a recorded run can be rerun as it ran."""
    if all(v is None for v in (seed, size, arch, execution, p, model, api_base, api_key_env)):
        return s
    data = tomllib.loads(s.text)
    if seed is not None:
        data.setdefault("scenario", {})["seed"] = seed
    team = data.setdefault("team", {})
    for key, val in (("size", size), ("architecture", arch), ("execution", execution), ("model", model)):
        if val is not None:
            team[key] = val
    for key, val in (("model", model), ("api_base", api_base), ("api_key_env", api_key_env)):
        if val is not None:  # --model, --api-base and --api-key-env are for the whole team
            team[key] = val
            for agent in data.get("agents", []):
                agent.pop(key, None)
    if size is not None and len(data.get("agents", [])) > size:
        data["agents"] = data["agents"][:size]
    if p is not None:
        try:
            data.setdefault("task", {})["p"] = float(p)  # "--p 0.2" arrives as text
        except ValueError:
            data.setdefault("task", {})["p"] = p  # an alias, or a mistake the validator will name
    if size is not None or arch is not None:
        # Faults aimed at agents that no longer exist are dropped with the agents.
        keep = size if size is not None else len(s.agents)
        names = [a.name for a in s.agents][:keep]
        data["faults"] = [f for f in data.get("faults", [])
                          if not (isinstance(f.get("agent"), int) and f["agent"] > keep)
                          and not (isinstance(f.get("agent"), str) and f["agent"] not in names
                                   and f["agent"] not in SELECTORS)]
    from teamtui.scenario.tomlw import dumps

    return _validate(data, dumps(data), Path(s.source))
