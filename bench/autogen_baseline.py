"""The peer baseline: AutoGen AgentChat's RoundRobinGroupChat, driven by its replay model client.

Each agent is an `AssistantAgent` whose model is a `ReplayChatCompletionClient` returning canned
replies instantly, so the measured time is the framework's own per-turn overhead (message objects,
the group-chat manager, the runtime's queues), the same quantity the teamtui figure measures.

    pip install -e '.[bench]'
    python bench/autogen_baseline.py --agents 3 --turns 300
"""

from __future__ import annotations

import argparse
import asyncio
import time
from importlib.metadata import version
from typing import Any


async def _run(agents: int, turns: int) -> float:
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination
    from autogen_agentchat.teams import RoundRobinGroupChat
    from autogen_ext.models.replay import ReplayChatCompletionClient

    per_agent = turns // agents + 2
    participants = [
        AssistantAgent(
            f"agent{i}",
            model_client=ReplayChatCompletionClient(
                [f"agent{i} step {k}: wrote mu_module_{k}.py, tests pass" for k in range(per_agent)]),
            system_message="You are one member of a team writing a math utilities library.",
        )
        for i in range(agents)
    ]
    team = RoundRobinGroupChat(participants, termination_condition=MaxMessageTermination(turns + 1))
    t0 = time.perf_counter()
    result = await team.run(task="Build the math utilities library; take the next subtask in turn.")
    wall = time.perf_counter() - t0
    made = len(result.messages) - 1  # the first message is the task itself
    if made < turns:
        raise RuntimeError(f"AutoGen made only {made} of {turns} turns")
    return wall / made


def measure_autogen(agents: int, turns: int, repeats: int = 3) -> dict[str, Any]:
    """Best-of-`repeats` seconds per agent turn for an `agents`-member round-robin team."""
    best = min(asyncio.run(_run(agents, turns)) for _ in range(repeats))
    return {"per_turn_us": best * 1e6, "autogen_version": version("autogen-agentchat")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=3)
    ap.add_argument("--turns", type=int, default=300)
    args = ap.parse_args()
    out = measure_autogen(args.agents, args.turns)
    print(f"autogen-agentchat {out['autogen_version']}: {out['per_turn_us']:.0f} µs per agent turn "
          f"({args.agents} agents, {args.turns} turns)")


if __name__ == "__main__":
    main()
