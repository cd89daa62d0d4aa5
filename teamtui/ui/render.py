"""Rich renderables for the monitor, drawn from a `LiveView`: header, task board, metrics, event lines.

Pure functions of the view (and the clock's state), with no Textual import, so they are cheap to test
and reused by the summary screen and the screenshots script. Every figure is read from the view's
`RunState` and written by `teamtui.metrics.text`, as the summary writes it.
"""

from __future__ import annotations

import msgspec
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from teamtui.core import events as ev
from teamtui.core.printable import shown
from teamtui.metrics import text
from teamtui.ui.view import LiveView
from teamtui.ui.words import delay_text

BADGE_STYLE = {
    "thinking": "bold cyan", "acting": "bold green", "waiting": "yellow", "idle": "dim",
    "stalled": "bold magenta", "straggler": "bold #ff8700", "killed": "bold red", "restarting": "bold blue",
}
TASK_STYLE = {"blocked": "dim", "ready": "white", "claimed": "cyan", "done": "green"}
SPARK = "▁▂▃▄▅▆▇█"
KIND_STYLE = {
    "fault": "bold red", "conflict": "#ff8700", "stall": "magenta", "straggler": "#ff8700",
    "recovery": "green", "lease": "yellow", "partition": "red", "stranded": "bold red", "end": "bold",
}
_BASE = {"seq", "t", "agent"}


def header(view: LiveView, speed: float, paused: bool) -> Text:
    s = view.started
    state = ("finished: " + view.finished.status) if view.finished else ("PAUSED" if paused else "running")
    out = Text()
    if s is None:
        return Text("starting…")
    out.append(f" {shown(s.scenario)} ", "bold reverse")
    out.append(f"  {s.architecture} · {s.execution} · {len(s.agents)} agents · seed {s.seed}  ")
    out.append(f"t = {view.now:6.1f}s", "bold")
    if s.execution == "rounds":
        out.append(f"  round {view.state.round}")
    out.append(f"  speed ×{speed:g}  ")
    out.append(f" {state} ", "bold black on yellow" if paused else ("bold black on green" if not view.finished
                                                                      else "bold white on blue"))
    if s.execution == "rounds" and not view.finished:
        waiting = [a for a in view.state.waiting_on if a in view.agents and view.agent_state(a) == "thinking"]
        if waiting:
            out.append(f"  barrier waits on {', '.join(waiting)}", "yellow")
        gap = view.state.straggler_gap()
        if gap is not None:
            out.append(f"  straggler gap {text.secs(gap)}", "#ff8700" if gap > 2 else "")
    return out


def agent_title(view: LiveView, name: str, index: int) -> Text:
    a = view.agents[name]
    state = view.agent_state(name)
    out = Text()
    out.append(f"{index} ", "dim")
    out.append(shown(name), "bold")
    out.append(f" ({shown(a.role)}) ", "dim")
    out.append(f" {state} ", f"reverse {BADGE_STYLE[state]}")
    if a.task:
        out.append(f"  ▸ {a.task}", "cyan")
    if a.delay is not None:
        out.append(f"  delayed {delay_text(a.delay.factor, a.delay.extra_s, a.delay.duration)}", "#ff8700")
    if any(name in g for g in view.state.partitioned) and len(view.state.partitioned) > 1:
        group = next(g for g in view.state.partitioned if name in g)
        out.append(f"  cut off: {{{','.join(group)}}}", "red")
    out.append(f"  {a.calls} calls", "dim")
    if a.cost is not None:
        out.append(f"  ${a.cost:.4f}", "dim")
    return out


def live_line(text: str, width: int = 56) -> Text:
    """The tail of a reply streaming in, on one line."""
    flat = " ".join(text.split())
    return Text("▸ " + flat[-width:], style="italic", no_wrap=True, overflow="crop")


def task_board(view: LiveView) -> Table:
    table = Table(expand=True, box=None, padding=(0, 1), show_edge=False)
    table.add_column("subtask", no_wrap=True, ratio=3)
    table.add_column("state", no_wrap=True, ratio=3)
    table.add_column("after", no_wrap=True, ratio=2, style="dim")
    for tid in _dependency_order(view):
        t = view.state.tasks[tid]
        if t.state == "claimed":
            label, style = f"claimed by {t.holder}", "cyan"
        elif t.assigned and t.state in ("ready", "blocked"):
            label, style = f"{t.state}, for {t.assigned}", TASK_STYLE[t.state]
        else:
            label, style = t.state, TASK_STYLE[t.state]
        if t.state != "done" and t.failed:
            label, style = label + " · failed", "bold red"
        if t.reclaimed and t.state != "done":
            label += " · reclaimed"
        name = tid or "(unnamed: the recording has no subtask ids)"
        table.add_row(Text(name, style), Text(label, style), ",".join(t.depends_on) or "—")
    return table


def _dependency_order(view: LiveView) -> list[str]:
    tasks = view.state.tasks
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(tasks):
        for tid, t in tasks.items():
            if tid not in placed and all(d in placed or d not in tasks for d in t.depends_on):
                placed.add(tid)
                order.append(tid)
    return order


def metrics(view: LiveView, width: int = 40) -> RenderableType:
    st = view.state
    b = view.bounds()
    fig = Table.grid(padding=(0, 1))
    fig.add_column(style="dim")
    fig.add_column()
    t1, estimated = view.t1()
    pred = t1 / b.amdahl if t1 and b.amdahl else None
    fig.add_row("elapsed / at bound", f"{st.now:.1f}s / " + (f"{pred:.1f}s" if pred else "—"))
    running = st.finished is None
    sp = st.speedup_estimate(t1)
    est = " est." if (running or estimated) and sp is not None else ""
    fig.add_row("speedup / bound", f"{text.times(sp)}{est} / {text.times(b.amdahl)}")
    fig.add_row("subtasks done", f"{st.done}/{st.subtasks}")
    per = st.messages_per_subtask
    fig.add_row("messages", f"{st.sent}" + (f"  ({per:.1f} per subtask)" if per is not None else ""))
    kinds = [f"{n} {kind}" for n, kind in ((st.claim_conflicts, "claim"), (st.write_conflicts, "write"),
                                           (st.lock_denied, "lock")) if n]
    fig.add_row("conflicts", f"{st.conflicts}" + (f"  ({', '.join(kinds)})" if kinds else ""))
    fig.add_row("idle fraction", text.pct(st.idle_fraction()))
    fig.add_row("straggler gap", text.secs(st.straggler_gap()))
    held = [r for r in st.recoveries if r.held]
    if held:  # the latest fault that hit an agent holding work (the summary lists every fault)
        fig.add_row(text.fault_label(held[-1].fault, held[-1].agent, held[-1].at),
                    text.reclaim(held[-1].held, held[-1].reclaim_s))
    sim = st.started is not None and st.started.model == "sim"
    cost = "n/a (sim)" if sim else ("n/a" if st.cost is None else f"${st.cost:.4f}")
    fig.add_row("tokens / cost", f"{st.tokens_in + st.tokens_out:,} / {cost}"
                + (f" + {st.unpriced} unpriced calls" if st.unpriced else ""))
    return Group(fig, message_matrix(view), throughput(view, width))


def metrics_title(view: LiveView) -> str:
    """The metrics pane's title: what the Amdahl bound in it is computed from."""
    b = view.bounds()
    return f"metrics · p={b.p:g}, n={view.state.workers}" if view.started is not None else "metrics"


def message_matrix(view: LiveView) -> Table:
    names = list(view.agents)
    matrix = view.state.matrix
    peak = max((n for row in matrix.values() for n in row.values()), default=0)
    table = Table(box=None, padding=(0, 1), show_edge=False, title="messages from ↓ to →", title_style="dim")
    table.add_column("", style="bold", no_wrap=True)
    for n in names:
        table.add_column(n[:4], justify="right", no_wrap=True)
    for src in names:
        cells = []
        for dst in names:
            count = matrix.get(src, {}).get(dst, 0)
            shade = int(55 + 200 * count / peak) if peak and count else 0
            cells.append(Text(str(count) if count else "·",
                              f"on rgb({shade // 3},{shade // 3},{shade})" if count else "dim"))
        table.add_row(src[:6], *cells)
    return table


def throughput(view: LiveView, width: int) -> Text:
    done = view.state.throughput
    bins = done[-max(8, width - 12):]
    offset = max(0, len(done) - len(bins))
    peak = max(bins, default=0)
    out = Text("done/5s ", "dim")
    for i, n in enumerate(bins):
        ch = SPARK[min(len(SPARK) - 1, int(n / peak * (len(SPARK) - 1)))] if peak else SPARK[0]
        out.append(ch, "bold red" if (i + offset) in view.state.fault_bins else "green")
    if view.state.fault_bins:
        out.append("  red = fault", "dim red")
    return out


def event_line(e: ev.Event, mark: bool = False) -> Text:
    fields = {k: v for k, v in msgspec.structs.asdict(e).items() if k not in _BASE}
    if isinstance(e, ev.RunStarted):
        fields = {"scenario": e.scenario, "agents": ",".join(e.agents), "tasks": len(e.tasks)}
    detail = " ".join(f"{k}={_short(v)}" for k, v in fields.items())
    out = Text(f"{e.t:8.2f} {e.seq:>6} ", "dim")
    out.append(f"{shown(e.agent) or '·':<6} ", "bold")
    out.append(f"{e.kind:<20} ", _kind_style(e))
    out.append(shown(detail)[:140])
    if mark:
        out.stylize("reverse")
    return out


def _kind_style(e: ev.Event) -> str:
    if isinstance(e, ev.FaultInjected | ev.AgentKilled | ev.NetworkPartitioned | ev.WorkStranded):
        return "bold red"
    if isinstance(e, ev.ClaimConflicted | ev.WriteConflicted | ev.LockDenied | ev.StragglerDetected):
        return "#ff8700"
    if isinstance(e, ev.TaskCompleted | ev.AgentRecovered | ev.NetworkHealed | ev.AgentRestarted):
        return "green"
    if isinstance(e, ev.LLMCallStarted | ev.LLMCallCompleted):
        return "cyan"
    return ""


def _short(v: object) -> str:
    if isinstance(v, tuple | list):
        return ",".join(_short(x) for x in v) or "[]"
    if isinstance(v, float):
        return f"{v:g}"
    text = str(v)
    return repr(text[:40]) if isinstance(v, str) and (" " in text or not text) else text[:40]
