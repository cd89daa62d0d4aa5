"""Conversations of real-model agents: prompts per role, observations as messages, replies as completions.

`Chats` keeps one conversation per agent: the system prompt for its role (a package data file in
`teamtui/llm/prompts/`, or the scenario's `[team.prompts]` override) plus the protocol's instructions,
then one user message per turn rendering the agent's `Observation`, and the agent's replies, trimmed to
the last `history_turns` exchanges. It is shared by the litellm and cassette backends, so a recorded
run's requests hash the same on replay. Nothing here imports litellm.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from string import Template
from typing import Any

from teamtui.core.agent import Observation
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.fit import fit
from teamtui.llm.protocol import TOOLS, cut_reply, describe, parse_tags, parse_tool_calls

ROLES = ("lead", "worker", "peer")
MAX_READ_CHARS = 20_000


def builtin_prompt(name: str) -> str:
    """A packaged prompt file: lead, worker, peer, tools or tags."""
    return resources.files("teamtui.llm").joinpath("prompts", f"{name}.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class ChatSettings:
    """How real-model agents talk (from `[team]` in the scenario)."""

    protocol: str = "tools"
    prompts: dict[str, str] = field(default_factory=dict)
    """Role -> prompt text overriding the packaged one."""
    history_turns: int = 6
    max_tokens: int = 4096
    project: str = ""
    size: int = 1
    team: tuple[str, ...] = ()


@dataclass
class _Conversation:
    system: str
    turns: list[tuple[str, str]] = field(default_factory=list)


class Chats:
    """See the module docstring."""

    def __init__(self, settings: ChatSettings) -> None:
        self.settings = settings
        self._convs: dict[str, _Conversation] = {}

    def system_prompt(self, obs: Observation) -> str:
        s = self.settings
        role = obs.role if obs.role in ROLES else "peer"
        text = s.prompts.get(role) or builtin_prompt(role)
        lead_line = f"Your lead is {obs.lead}; it assigns the work" if obs.lead else \
            "Work is assigned to you before the run starts"
        body = Template(text).safe_substitute(
            name=obs.agent, size=len(obs.team), team=", ".join(obs.team), project=s.project or "the project",
            architecture=obs.architecture, execution=obs.execution, lead=obs.lead or "nobody", lead_line=lead_line)
        return body.rstrip() + "\n\n" + builtin_prompt("tags" if s.protocol == "tags" else "tools")

    def messages(self, request: LLMRequest, context: int | None = None) -> list[dict[str, Any]]:
        """The whole request for this turn (the turn's user message is kept until `reply` is called), fitted to a
        `context` window of that many tokens when it is known (`teamtui.llm.fit`)."""
        conv = self._convs.get(request.agent)
        if conv is None:
            conv = self._convs[request.agent] = _Conversation(self.system_prompt(request.observation))
        turns = conv.turns[-self.settings.history_turns:] if self.settings.history_turns else []
        return fit(conv.system, turns, render(request.observation), context, self.settings.max_tokens,
                   TOOLS if self.settings.protocol == "tools" else None)

    def reply(self, agent: str, user: str, text: str, completion: Completion) -> None:
        """Remember this turn: what the agent was shown and a short account of what it did."""
        conv = self._convs.get(agent)
        if conv is None:
            return
        did = "; ".join(describe(a) for a in completion.actions)
        account = text.strip()[:2000] if self.settings.protocol == "tools" else _strip_edits(text)
        if self.settings.protocol == "tools" and did:
            account = (account + "\n" if account else "") + f"[actions: {did}]"
        conv.turns.append((user, account or "(no reply)"))
        del conv.turns[:-max(self.settings.history_turns, 1)]

    def forget(self, agent: str) -> None:
        self._convs.pop(agent, None)


def _strip_edits(text: str) -> str:
    """A tags reply for the history, file bodies elided (the files themselves are on the board)."""
    import re

    return re.sub(r'(<edit_file\s+path\s*=\s*"[^"]*"\s*>).*?(</edit_file\s*>)', r"\1[file body elided]\2", text,
                  flags=re.DOTALL)[:4000]


def request_hash(messages: list[dict[str, Any]], model: str) -> str:
    """A short, stable hash of a request (cassettes key on it as well as on agent and call order)."""
    data = json.dumps({"model": model, "messages": messages}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


NOTHING_TOOLS = ("your reply did nothing: it called no function. Act by calling the functions (claim, write_file, "
                 "complete, ...); call wait if there is nothing to do")
NOTHING_TAGS = ('your reply did nothing: it had no action tag. Act with the tags (<claim_task id="ID"/>, '
                '<edit_file path="...">...</edit_file>, <complete_task id="ID"/>, ...); write <wait/> if there is '
                "nothing to do")


def to_completion(text: str, tool_calls: list[tuple[object, object]], protocol: str, tokens_in: int = 0,
                  tokens_out: int = 0, cost_usd: float | None = None, estimated: bool = False) -> Completion:
    """A model's raw reply (text and tool calls) parsed into actions and problems. A reply with no action and no
    other problem (prose alone) is a problem too: the agent is told that its turn did nothing."""
    text, problems = cut_reply(text or "")
    if protocol == "tags":
        actions, more = parse_tags(text)
        if tool_calls:
            more.append("this team speaks in reply tags: tool calls were ignored")
        if not actions and not more:
            more.append(NOTHING_TAGS)
    else:
        actions, more = parse_tool_calls(tool_calls)
        if not tool_calls and not text.strip():
            more.append("an empty reply: call one of the functions (wait, if there is nothing to do)")
        elif not tool_calls:
            more.append(NOTHING_TOOLS)
    return Completion(text=text, actions=tuple(actions), tokens_in=tokens_in, tokens_out=tokens_out,
                      cost_usd=cost_usd, coding=any(type(a).__name__ == "WriteFile" for a in actions),
                      problems=tuple(problems + more), tokens_estimated=estimated)


def render(obs: Observation) -> str:
    """One turn's observation as the text of a user message."""
    out = [f"Round {obs.round}, run time {obs.now:.0f} s. You are {obs.agent} ({obs.role})."]
    if obs.feedback:
        out.append("\nYour previous turn had problems (fix them):")
        out += [f"- {line}" for line in obs.feedback[:20]]
        if len(obs.feedback) > 20:
            out.append(f"- ... and {len(obs.feedback) - 20} more")
    if obs.inbox:
        out.append("\nMessages for you:")
        out += [f"- from {m.sender} [{m.topic}{' ' + m.task if m.task else ''}]: {m.text[:1000]}" for m in obs.inbox]
    out.append("\nTask board (id | state | holder | assigned to | depends on | file | tests):")
    for t in obs.tasks:
        tested = obs.tests.get(t.id)
        verdict = "-" if tested is None else "pass" if tested else "FAIL"
        out.append(f"- {t.id} | {t.state} | {t.holder or '-'} | {t.assigned_to or '-'} | "
                   f"{', '.join(t.depends_on) or '-'} | {t.file} | {verdict}")
    mine = [t for t in obs.tasks if t.state != "done" and (t.holder == obs.agent or t.assigned_to == obs.agent
                                                         or (not t.holder and t.state == "ready"))]
    if mine:
        out.append("\nSpecs of the subtasks you hold, are assigned, or could claim:")
        out += [f"- {t.id} ({t.file}): {t.spec or 'no spec given'}" for t in mine[:12]]
    if obs.files:
        out.append("\nWorkspace files (version): " + ", ".join(f"{p} (v{v})" for p, v in sorted(obs.files.items())))
    for path, version, content in obs.reads:
        shown = content[:MAX_READ_CHARS]
        more = f"\n[... {len(content) - MAX_READ_CHARS} more characters]" if len(content) > MAX_READ_CHARS else ""
        out.append(f"\nContent of {path} (v{version}):\n```\n{shown}{more}\n```")
    if obs.lead == obs.agent and obs.last_seen:
        out.append("\nLast reply of each teammate (run seconds): "
                   + ", ".join(f"{n} {t:.0f}" for n, t in sorted(obs.last_seen.items()))
                   + f"; suspect one silent for more than {obs.suspect_after:.0f} s.")
    return "\n".join(out)
