"""The action protocol a real model speaks: tool (function) calls, or the paper harness's reply tags.

`TOOLS` describes every agent action as an OpenAI-style function. `parse_tool_calls` and `parse_tags`
turn a model's reply into actions plus a list of problems (one line each: bad JSON, an unknown action,
a missing or mistyped field, output over the size limits). A problem never raises: the engine records
it as an event and tells the agent in its next observation, and the valid actions still apply.

Tags follow the paper's harness: `<edit_file path="...">...</edit_file>`, `<claim_task id=""/>`,
`<complete_task id=""/>`, `<run_tests/>`, `<assign_task id="" to=""/>`, `<broadcast>...</broadcast>`,
`<request_status/>`, `<synthesize>...</synthesize>` (a report broadcast), plus teamtui's own
`<send to="">...</send>`, `<release_task id=""/>`, `<read_file path=""/>` and `<wait/>`. Like the
harness, actions are grouped by kind, not taken in reply order (claims first, so that under `locking`
the writer holds its subtask; then edits, completions, test runs, assignments, messages).
"""

from __future__ import annotations

import json
import re
from typing import Any

from teamtui.core.agent import (
    Action,
    Assign,
    Broadcast,
    Claim,
    Complete,
    ReadFile,
    Release,
    RequestStatus,
    RunTests,
    Send,
    Wait,
    WriteFile,
)

MAX_REPLY_CHARS = 200_000
"""A reply longer than this is cut (and the cut is a problem)."""
MAX_FILE_CHARS = 100_000
"""A file write longer than this is refused."""
MAX_ACTIONS = 40
"""Actions beyond this many in one reply are dropped."""
MAX_TEXT_CHARS = 4_000
"""Message text longer than this is cut."""


def _fn(name: str, doc: str, **props: tuple[str, bool]) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": doc,
        "parameters": {"type": "object", "properties": {k: {"type": "string", "description": d}
                                                        for k, (d, _) in props.items()},
                       "required": [k for k, (_, req) in props.items() if req]}}}


TOOLS: list[dict[str, Any]] = [
    _fn("send", "Send a message to one teammate.", to=("the teammate's name", True), text=("the message", True),
        task=("the subtask it is about, if any", False)),
    _fn("broadcast", "Send a message to every teammate.", text=("the message", True),
        task=("the subtask it is about, if any", False)),
    _fn("claim", "Claim a subtask whose dependencies are done, so that you work on it.", task=("subtask id", True)),
    _fn("release", "Give back a subtask you hold (the lead may take back any subtask).", task=("subtask id", True)),
    _fn("assign", "Lead only: assign a subtask to a worker.", task=("subtask id", True), to=("worker name", True)),
    _fn("read_file", "Read a workspace file; its content arrives in your next turn.", path=("relative path", True)),
    _fn("write_file", "Write a whole file in the workspace (relative path).", path=("relative path", True),
        content=("the complete new content", True), task=("the subtask it belongs to, if any", False)),
    _fn("run_tests", "Run the tests of a subtask on the current files.", task=("subtask id", True)),
    _fn("complete", "Mark a subtask you hold as done (its tests must pass).", task=("subtask id", True)),
    _fn("request_status", "Ask every teammate for a status update."),
    _fn("wait", "Do nothing this turn."),
]

_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # action -> (required string fields, optional string fields)
    "send": (("to", "text"), ("task",)), "broadcast": (("text",), ("task",)), "claim": (("task",), ()),
    "release": (("task",), ()), "assign": (("task", "to"), ()), "read_file": (("path",), ()),
    "write_file": (("path", "content"), ("task",)), "run_tests": (("task",), ()), "complete": (("task",), ()),
    "request_status": ((), ()), "wait": ((), ()),
}


def _short(value: object, n: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= n else text[:n] + "..."


def _build(name: str, args: dict[str, str]) -> Action:
    g = args.get
    match name:
        case "send":
            return Send(to=g("to", ""), text=g("text", "")[:MAX_TEXT_CHARS], task=g("task", ""))
        case "broadcast":
            return Broadcast(text=g("text", "")[:MAX_TEXT_CHARS], task=g("task", ""))
        case "claim":
            return Claim(g("task", ""))
        case "release":
            return Release(g("task", ""))
        case "assign":
            return Assign(task=g("task", ""), to=g("to", ""))
        case "read_file":
            return ReadFile(g("path", ""))
        case "write_file":
            return WriteFile(path=g("path", ""), content=g("content", ""), task=g("task", ""))
        case "run_tests":
            return RunTests(g("task", ""))
        case "complete":
            return Complete(g("task", ""))
        case "request_status":
            return RequestStatus()
    return Wait()


def action_from_call(name: object, arguments: object) -> tuple[Action | None, str]:
    """One tool call -> (action, "") or (None, problem)."""
    if not isinstance(name, str) or name not in _FIELDS:
        return None, f"unknown action {_short(name)!s}; the actions are: {', '.join(_FIELDS)}"
    if isinstance(arguments, str):
        text = arguments.strip() or "{}"
        try:
            arguments = json.loads(text)
        except (ValueError, RecursionError):
            return None, f"{name}: the arguments are not valid JSON ({_short(text)}); send a JSON object"
    if not isinstance(arguments, dict):
        return None, f"{name}: the arguments must be a JSON object, not {type(arguments).__name__}"
    required, optional = _FIELDS[name]
    args: dict[str, str] = {}
    for key in (*required, *optional):
        val = arguments.get(key)
        if val is None:
            if key in required:
                return None, f'{name}: missing field "{key}"; required: {", ".join(required)}'
            continue
        if isinstance(val, int | float) and not isinstance(val, bool) and key in ("task", "to"):
            val = str(val)
        if not isinstance(val, str):
            return None, f'{name}: field "{key}" must be a string, not {type(val).__name__}'
        if key != "content" and key != "text" and not val.strip():
            return None, f'{name}: field "{key}" is empty'
        args[key] = val
    if name == "write_file" and len(args["content"]) > MAX_FILE_CHARS:
        return None, f"write_file {_short(args['path'])}: {len(args['content'])} characters is over the limit of " \
                     f"{MAX_FILE_CHARS}; write smaller files"
    return _build(name, args), ""


def parse_tool_calls(calls: list[tuple[object, object]]) -> tuple[list[Action], list[str]]:
    """(name, arguments) pairs from a reply's tool calls -> actions and problems."""
    actions: list[Action] = []
    problems: list[str] = []
    for name, arguments in calls:
        action, problem = action_from_call(name, arguments)
        if problem:
            problems.append(problem)
        elif action is not None:
            actions.append(action)
    return _cap(actions, problems)


def _cap(actions: list[Action], problems: list[str]) -> tuple[list[Action], list[str]]:
    if len(actions) > MAX_ACTIONS:
        problems.append(f"{len(actions)} actions in one reply; only the first {MAX_ACTIONS} were taken")
        actions = actions[:MAX_ACTIONS]
    return actions, problems


# -- tags -----------------------------------------------------------------------------------------

_ATTR = r'\s+{}\s*=\s*"([^"]*)"'
_EDIT = re.compile(r'<edit_file\s+path\s*=\s*"([^"]*)"\s*>(.*?)</edit_file\s*>', re.DOTALL)
_SEND = re.compile(r'<send\s+to\s*=\s*"([^"]*)"\s*>(.*?)</send\s*>', re.DOTALL)
_BODY = {name: re.compile(rf"<{name}\s*>(.*?)</{name}\s*>", re.DOTALL) for name in ("broadcast", "synthesize")}
_EMPTY = {name: re.compile(rf"<{name}\s*/?>") for name in ("run_tests", "request_status", "wait")}
_ID = {name: re.compile(rf"<{name}{_ATTR.format('id')}\s*/?>") for name in ("claim_task", "complete_task",
                                                                           "release_task")}
_RUN_ID = re.compile(rf"<run_tests{_ATTR.format('id')}\s*/?>")
_ASSIGN = re.compile(rf"<assign_task{_ATTR.format('id')}{_ATTR.format('to')}\s*/?>")
_READ = re.compile(rf"<read_file{_ATTR.format('path')}\s*/?>")
_ANY_TAG = re.compile(r"<([a-z][a-z_]*)(\s[^<>]*)?/?>")
_KNOWN = {"edit_file", "send", "broadcast", "synthesize", "run_tests", "request_status", "wait", "claim_task",
          "complete_task", "release_task", "assign_task", "read_file"}


def parse_tags(text: str) -> tuple[list[Action], list[str]]:
    """A reply in the paper harness's tag protocol -> actions and problems."""
    problems: list[str] = []
    edits = list(_EDIT.finditer(text))
    sends = list(_SEND.finditer(text))
    # Code inside edit bodies may contain anything; scan the rest for tags that went wrong.
    rest = _EDIT.sub("", text)
    rest = _SEND.sub("", rest)
    bodies = {n: list(r.finditer(rest)) for n, r in _BODY.items()}
    for r in _BODY.values():
        rest = r.sub("", rest)
    claims = [m.group(1) for m in _ID["claim_task"].finditer(rest)]
    completes = [m.group(1) for m in _ID["complete_task"].finditer(rest)]
    releases = [m.group(1) for m in _ID["release_task"].finditer(rest)]
    assigns = [(m.group(1), m.group(2)) for m in _ASSIGN.finditer(rest)]
    reads = [m.group(1) for m in _READ.finditer(rest)]
    run_ids = [m.group(1) for m in _RUN_ID.finditer(rest)]
    for m in _ANY_TAG.finditer(rest):
        name, whole = m.group(1), m.group(0)
        if name not in _KNOWN:
            if "_" in name:  # an action-like tag we do not know (plain words in angle brackets are prose)
                problems.append(f"unknown action tag <{name}>; the tags are: {', '.join(sorted(_KNOWN))}")
            continue
        if name in ("edit_file", "send", "broadcast", "synthesize"):
            problems.append(f"<{name}> is not closed or has a bad attribute: {_short(whole)}; "
                            f"write <{name}{' path=...' if name == 'edit_file' else ''}>...</{name}>")
        elif not _well_formed(name, whole):
            problems.append(f"malformed tag {_short(whole)}; e.g. {_EXAMPLES.get(name, f'<{name}/>')}")
    for kind, values in (("claim_task", claims), ("complete_task", completes), ("release_task", releases),
                         ("read_file", reads), ("assign_task", [t for t, _ in assigns] + [to for _, to in assigns])):
        if any(not v.strip() for v in values):
            problems.append(f"<{kind}> with an empty attribute; e.g. {_EXAMPLES[kind]}")
    claims, completes, releases, reads = ([v for v in vs if v.strip()] for vs in (claims, completes, releases, reads))
    assigns = [(t, to) for t, to in assigns if t.strip() and to.strip()]
    actions: list[Action] = [Claim(t) for t in claims]
    for m in edits:
        path, body = m.group(1), m.group(2).strip("\n")
        if "<edit_file" in body:
            problems.append(f"edit_file {_short(path)}: another <edit_file> starts inside it; close each one with "
                            "</edit_file>")
            continue
        if len(body) > MAX_FILE_CHARS:
            problems.append(f"edit_file {_short(path)}: {len(body)} characters is over the limit of {MAX_FILE_CHARS}")
            continue
        actions.append(WriteFile(path=path, content=body + "\n"))
    actions += [Complete(t) for t in completes]
    if run_ids:
        actions += [RunTests(t) for t in run_ids]
    elif _EMPTY["run_tests"].search(rest):
        actions.append(RunTests(""))
    actions += [Assign(task=t, to=to) for t, to in assigns]
    actions += [Broadcast(text=m.group(1).strip()[:MAX_TEXT_CHARS]) for m in bodies["broadcast"]]
    actions += [Send(to=m.group(1), text=m.group(2).strip()[:MAX_TEXT_CHARS]) for m in sends]
    if _EMPTY["request_status"].search(rest):
        actions.append(RequestStatus())
    actions += [Broadcast(text=m.group(1).strip()[:MAX_TEXT_CHARS], topic="report") for m in bodies["synthesize"]]
    actions += [Release(t) for t in releases]
    actions += [ReadFile(p) for p in reads]
    if _EMPTY["wait"].search(rest):
        actions.append(Wait())
    return _cap(actions, problems)


_EXAMPLES = {"claim_task": '<claim_task id="ID"/>', "complete_task": '<complete_task id="ID"/>',
             "release_task": '<release_task id="ID"/>', "assign_task": '<assign_task id="ID" to="NAME"/>',
             "read_file": '<read_file path="PATH"/>', "run_tests": '<run_tests/> or <run_tests id="ID"/>'}


def _well_formed(name: str, whole: str) -> bool:
    if name in _ID:
        return bool(_ID[name].fullmatch(whole))
    if name == "assign_task":
        return bool(_ASSIGN.fullmatch(whole))
    if name == "read_file":
        return bool(_READ.fullmatch(whole))
    if name == "run_tests":
        return bool(_EMPTY[name].fullmatch(whole) or _RUN_ID.fullmatch(whole))
    return bool(_EMPTY[name].fullmatch(whole))


def cut_reply(text: str) -> tuple[str, list[str]]:
    """A reply cut to `MAX_REPLY_CHARS`, and the problem when it was cut."""
    if len(text) <= MAX_REPLY_CHARS:
        return text, []
    return text[:MAX_REPLY_CHARS], [f"the reply was {len(text)} characters; only the first {MAX_REPLY_CHARS} "
                                    "were read"]


def describe(action: Action) -> str:
    """A short account of an action for the conversation history (file contents are not repeated)."""
    name = type(action).__name__
    if isinstance(action, WriteFile):
        return f"write_file(path={action.path!r}, {len(action.content)} chars)"
    fields = {k: v for k, v in vars(action).items() if v not in ("", None)}
    return f"{name}({', '.join(f'{k}={_short(v, 80)!r}' for k, v in fields.items())})"
