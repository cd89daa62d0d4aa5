"""Per-call overhead teamtui adds around a litellm call, against a local OpenAI-compatible server.

One run starts a local server (127.0.0.1, streamed replies with a tool call, as a real provider sends
them) and times, interleaved in blocks so that drift hits all sides alike:

* bare: `litellm.acompletion(stream=True)` with the same messages, tools and parameters teamtui sends,
  chunks consumed, in a plain loop (what a hand-written agent would do);
* backend: teamtui's `LiteLLMBackend.complete` (conversation, streaming sink, chunk assembly, cost,
  parsing the reply into actions);
* engine: a one-agent team run by the engine, one call per round (turn, observation, events, board),
  timed from one round's start to the next.

It prints the median and mean time per call of each and the overhead of the last two over bare.
Target: under 10 % added latency. `--delay-ms` makes the server wait before answering, like a model.

    python bench/llm_overhead.py [--calls 200] [--blocks 5] [--delay-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from teamtui.core.clock import WallClock  # noqa: E402
from teamtui.launch import new_engine  # noqa: E402
from teamtui.llm import chat_settings  # noqa: E402
from teamtui.llm.base import LLMRequest  # noqa: E402
from teamtui.llm.litellm_backend import LiteLLMBackend, load_litellm  # noqa: E402
from teamtui.llm.protocol import TOOLS  # noqa: E402
from teamtui.scenario.load import parse_scenario  # noqa: E402
from teamtui.scenario.spec import Scenario  # noqa: E402
from tests.llm.fake_openai import FakeOpenAI, Reply  # noqa: E402


def scenario(url: str, rounds: int) -> Scenario:
    text = textwrap.dedent(f"""
        [scenario]
        name = "llm overhead"
        [team]
        size = 1
        architecture = "preassigned"
        model = "openai/bench-model"
        api_base = "{url}"
        retries = 0
        [task]
        pack = "math_utils"
        p = 0.5
        [limits]
        max_rounds = {rounds}
        max_time_s = 36000
        stall_after_s = 3600
    """)
    return parse_scenario(text, ROOT / "bench" / "llm_overhead.toml")


async def bare(lm: Any, url: str, messages: list[dict[str, Any]], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = await lm.acompletion(model="openai/bench-model", messages=messages, tools=TOOLS, stream=True,
                                    stream_options={"include_usage": True}, api_base=url, api_key="no-key",
                                    num_retries=0, max_retries=0, timeout=120.0, max_tokens=4096)
        async for _chunk in resp:
            pass
        out.append(time.perf_counter() - t0)
    return out


async def backend_calls(s: Scenario, n: int) -> tuple[list[float], list[dict[str, Any]]]:
    backend = LiteLLMBackend(s, chat_settings(s))
    engine = new_engine(s, WallClock(), backend=backend)
    obs = engine.observe(s.agents[0].name)
    clock = WallClock()
    out = []
    messages: list[dict[str, Any]] = []
    for i in range(n):
        backend.chats.forget(obs.agent)  # the same request every time, like the bare loop
        messages = backend.chats.messages(LLMRequest(obs.agent, s.agents[0].model, 0, i, obs))
        backend.chats.forget(obs.agent)
        t0 = time.perf_counter()
        await backend.complete(LLMRequest(obs.agent, s.agents[0].model, 0, i, obs), clock)
        out.append(time.perf_counter() - t0)
    return out, messages


async def engine_calls(s: Scenario, n: int) -> list[float]:
    engine = new_engine(s, WallClock(), workdir=Path(tempfile.mkdtemp(prefix="teamtui-bench-")))
    await engine.run()
    starts = [e.t for e in engine.events if e.kind == "RoundStarted"]
    return [b - a for a, b in itertools.pairwise(starts)]  # one call per round: round to round, all included


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=200, help="calls per side per block")
    ap.add_argument("--blocks", type=int, default=5)
    ap.add_argument("--delay-ms", type=float, default=0.0, help="server think time before it answers")
    args = ap.parse_args()
    lm = load_litellm()

    def handler(body: dict[str, Any]) -> Reply:
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        return Reply(text="Nothing is ready for me yet, so I wait.", tool_calls=[("wait", {})])

    results: dict[str, list[float]] = {"bare litellm": [], "teamtui backend": [], "teamtui engine": []}
    with FakeOpenAI(handler) as server:
        s = scenario(server.url, args.calls)
        _, messages = asyncio.run(backend_calls(s, 3))  # warm-up; the exact request teamtui sends
        asyncio.run(bare(lm, server.url, messages, 3))
        for _ in range(args.blocks):
            results["bare litellm"] += asyncio.run(bare(lm, server.url, messages, args.calls))
            results["teamtui backend"] += asyncio.run(backend_calls(s, args.calls))[0]
            results["teamtui engine"] += asyncio.run(engine_calls(s, args.calls))
    base = statistics.median(results["bare litellm"])
    print(f"local server, {args.blocks} blocks x {args.calls} calls per side, server delay {args.delay_ms:g} ms, "
          f"{os.cpu_count()} CPUs")
    print(f"{'':18}{'median ms':>11}{'mean ms':>10}{'overhead':>10}")
    for name, xs in results.items():
        med = statistics.median(xs)
        print(f"{name:18}{med * 1e3:11.2f}{statistics.fmean(xs) * 1e3:10.2f}"
              f"{'' if name.startswith('bare') else f'{(med - base) / base:+10.1%}'}")
    print("(engine: round to round of a one-agent team, one call per round; the target is under +10 %)")


if __name__ == "__main__":
    main()
