"""The prompts' parsers (hypothesis): whatever is typed, a parser returns a value the engine can run and the log can
store (finite, in range) or refuses in one line with ValueError; and every well-formed value is read back."""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from teamtui.core import events as ev
from teamtui.core.faults import MAX_DELAY_FACTOR, Delay, Drop, Partition, SlowNetwork, Stall, Undelay
from teamtui.ui.parsers import (
    MAX_LATENCY_S,
    MAX_SECONDS,
    filter_problem,
    parse_agent,
    parse_delay,
    parse_groups,
    parse_seek,
)

AGENTS = ["ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kai", "lu"]
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
NASTY = ["nan", "NaN", "inf", "-inf", "infinity", "1e999", "1e999s", "1e999x", "+1e999s", "0x10", "1_000", "−3x",
         "3x 20s 20s", "1x", "1x 20s", "0x", "0s", "+0s", "1001x", "86401s", "3601s", "\x1b[2J", "٣x", "3 x 20 s"]
typed = st.one_of(st.text(max_size=30), st.sampled_from(NASTY),
                  st.lists(st.sampled_from(["3x", "20s", "20 s", "+5s", "1e999", "nan", " ", ",", "x", "s", "+", "clear",
                                            "2.5", ".5x", "1e2s", "-1"]), max_size=5).map(" ".join))


def _storable(fault: Delay | Undelay) -> None:
    """What a prompt accepts reaches the log: its FaultInjected and AgentDelayed encode and decode back equal."""
    params = fault.params
    assert all(isinstance(v, float) and math.isfinite(v) for v in params.values()), params
    injected = ev.FaultInjected(agent=fault.target, fault=fault.action, source="user", params=params)
    assert ev.decode(ev.encode(injected)) == injected
    if isinstance(fault, Delay):
        delayed = ev.AgentDelayed(agent="bob", factor=fault.factor or 3.0, extra_s=fault.latency_s or 0.0,
                                  duration=fault.seconds)
        assert ev.decode(ev.encode(delayed)) == delayed


@FUZZ
@given(typed)
@example("nan")
@example("1e999s")
@example("+nan s")
def test_a_delay_is_finite_and_in_range_or_refused_in_one_line(text: str) -> None:
    try:
        fault = parse_delay(text, "bob")
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _storable(fault)
    if isinstance(fault, Delay):
        assert fault.agent == "bob"
        assert fault.factor is None or 1 <= fault.factor <= MAX_DELAY_FACTOR
        assert fault.factor != 1 or fault.latency_s, "1x alone changes nothing and must be refused"
        assert fault.seconds is None or 0 < fault.seconds <= MAX_SECONDS
        assert fault.latency_s is None or 0 < fault.latency_s <= MAX_LATENCY_S


@pytest.mark.parametrize("text", ["nan", "inf", "1e999s", "1e999x", "+1e999s", "NaNx", "infs", "1x", "1.0x", "1x 20s"])
def test_the_values_of_the_report_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a delay|too large|changes nothing"):
        parse_delay(text, "bob")


factors = st.floats(min_value=1.01, max_value=MAX_DELAY_FACTOR, allow_nan=False).map(lambda x: round(x, 2))
seconds = st.floats(min_value=0.01, max_value=MAX_SECONDS, allow_nan=False).map(lambda x: round(x, 2))
latencies = st.floats(min_value=0.01, max_value=MAX_LATENCY_S, allow_nan=False).map(lambda x: round(x, 2))
spaces = st.sampled_from(["", " ", "  "])


@FUZZ
@given(st.none() | factors, st.none() | seconds, st.none() | latencies, spaces, spaces, st.sampled_from([" ", ", "]),
       st.permutations([0, 1, 2]))
def test_every_well_formed_delay_reads_back(factor: float | None, secs: float | None, latency: float | None,
                                            gap: str, gap2: str, sep: str, order: list[int]) -> None:
    assume(factor is not None or secs is not None or latency is not None)
    assume(factor is None or factor > 1)
    parts = [f"{factor!r}{gap}x" if factor is not None else "", f"{secs!r}{gap}s" if secs is not None else "",
             f"+{gap2}{latency!r}{gap}s" if latency is not None else ""]
    text = sep.join(p for p in (parts[i] for i in order) if p)
    assert parse_delay(text, "cy") == Delay("cy", factor=factor, seconds=secs, latency_s=latency), text


@pytest.mark.parametrize(("text", "want"), [
    ("20 s", Delay("bob", seconds=20.0)), ("3 x 20 s", Delay("bob", factor=3.0, seconds=20.0)),
    ("3x20s", Delay("bob", factor=3.0, seconds=20.0)), ("+ 5 s", Delay("bob", latency_s=5.0)),
    ("1x +5s", Delay("bob", factor=1.0, latency_s=5.0)), ("", Delay("bob", factor=3.0, seconds=20.0)),
    ("2.5x, 10 seconds", Delay("bob", factor=2.5, seconds=10.0)), ("clear", Undelay("bob")), (" OFF ", Undelay("bob")),
])
def test_delays_as_people_type_them(text: str, want: Delay | Undelay) -> None:
    assert parse_delay(text, "bob") == want


@FUZZ
@given(st.one_of(st.text(max_size=12), st.sampled_from(NASTY), st.floats(allow_nan=True).map(str),
                 st.integers(-5, 10**6).map(str)), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_seek_time_is_within_the_run_or_refused(text: str, end: float) -> None:
    try:
        t = parse_seek(text, end)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert math.isfinite(t) and 0 <= t <= end


@FUZZ
@given(st.floats(min_value=0, max_value=1e5, allow_nan=False).map(lambda x: round(x, 1)),
       st.sampled_from(["{}", "{} s", "{}s", " {} ", "{} seconds"]))
def test_a_seek_time_reads_back(t: float, form: str) -> None:
    assert parse_seek(form.format(repr(t)), 1e5) == t
    minutes, rest = divmod(t, 60)
    assert parse_seek(f"{int(minutes)}:{rest:04.1f}", 1e5) == pytest.approx(t)


@FUZZ
@given(st.one_of(st.text(max_size=8), st.integers(-3, 20).map(str), st.sampled_from([*AGENTS, "BOB", " cy ", "0"])),
       st.integers(1, len(AGENTS)))
def test_an_agent_is_one_of_the_team_or_refused(text: str, size: int) -> None:
    agents = AGENTS[:size]
    try:
        name = parse_agent(text, agents)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert name in agents
    word = text.strip()
    assert word.casefold() == name.casefold() or (word.isdigit() and agents[int(word) - 1] == name)


def test_agents_ten_to_twelve_by_number_and_name() -> None:
    assert [parse_agent(str(i), AGENTS) for i in (10, 11, 12)] == ["jo", "kai", "lu"]
    assert parse_agent("KAI", AGENTS) == "kai"
    with pytest.raises(ValueError, match="from 1 to 12"):
        parse_agent("13", AGENTS)


@FUZZ
@given(st.lists(st.sampled_from([*AGENTS[:6], "1", "2", "zed", "", " "]), max_size=7),
       st.lists(st.sampled_from([",", "|", " | ", ", "]), min_size=7, max_size=7))
def test_partition_groups_are_disjoint_and_cover_the_team_or_refused(names: list[str], seps: list[str]) -> None:
    agents = AGENTS[:6]
    text = "".join(n + s for n, s in zip(names, seps, strict=False))
    try:
        groups = parse_groups(text, agents, "bob")
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    flat = [n for g in groups for n in g]
    assert sorted(flat) == sorted(agents) and len(groups) >= 2 and all(groups)
    fault = Partition(groups)
    assert ev.decode(ev.encode(ev.NetworkPartitioned(groups=groups))).groups == groups  # type: ignore[attr-defined]
    assert fault.params["groups"] == [list(g) for g in groups]


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["agent:bob", "agent:zed", "agent:", "kind:Killed",
                                                                  "kind:nope", "kind:"])), max_size=4))
def test_the_log_filter_names_what_cannot_match(words: list[str]) -> None:
    problem = filter_problem(words, AGENTS, ev.EVENT_TYPES)
    bad_agent = any(w.startswith("agent:") and w[6:] not in AGENTS for w in words)
    bad_kind = any(w.startswith("kind:") and not any(w[5:].lower() in k.lower() for k in ev.EVENT_TYPES)
                   for w in words)
    assert bool(problem) == (bad_agent or bad_kind)
    assert "\n" not in problem


@pytest.mark.parametrize("build", [
    lambda: Delay("bob", factor=math.nan), lambda: Delay("bob", factor=math.inf), lambda: Delay("bob", seconds=-1.0),
    lambda: Delay("bob", latency_s=math.inf), lambda: Delay("bob", factor=0.5), lambda: Stall("bob", seconds=math.nan),
    lambda: Drop(math.nan), lambda: Drop(1.5), lambda: SlowNetwork(math.inf), lambda: Partition((), seconds=math.inf),
    lambda: ev.AgentDelayed(agent="bob", factor=math.nan, extra_s=0.0, duration=None),
    lambda: ev.AgentDelayed(agent="bob", factor=3.0, extra_s=0.0, duration=math.inf),
    lambda: ev.LinkFaultSet(drop=math.nan, duplicate=0.0, extra_latency=0.0),
    lambda: ev.AgentStallInjected(agent="bob", duration=-math.inf),
])
def test_faults_and_fault_events_refuse_non_finite_settings_when_built(build: object) -> None:
    with pytest.raises(ValueError, match=r"finite|at least|above|at most"):
        build()  # type: ignore[operator]


def test_a_stored_null_factor_is_a_decode_error_not_a_crash_later() -> None:
    with pytest.raises(msgspec.ValidationError):
        ev.decode(b'{"type":"AgentDelayed","factor":-1.0,"extra_s":0,"duration":null}')
