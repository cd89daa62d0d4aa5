"""The words for the state's structured records: one line per incident, and an agent's delay.

Plain strings, no Textual or rich, so the view (an agent's stream), the incidents pane and tests share them.
"""

from __future__ import annotations

from teamtui.core.state import Incident


def delay_text(factor: float, extra_s: float, duration: float | None) -> str:
    return f"×{factor:g}" + (f" +{extra_s:g}s" if extra_s else "") + (f" for {duration:g}s" if duration else "")


def incident_text(i: Incident) -> str:
    """What an incident says in the incidents list (its time and kind are drawn beside it)."""
    k = i.kind
    if k == "conflict":
        if i.cause == "claim":
            return f"claim conflict on {i.subject}" + (f" (held by {i.other})" if i.other else " (already done)")
        if i.cause == "write":
            return f"write conflict on {i.subject}: v{int(i.value or 0)} < v{int(i.ref or 0)} by {i.other}, {i.note}"
        return f"lock denied on {i.subject} (held by {i.other})"
    if k == "fault":
        who = f" {i.agent}" if i.agent else ""
        params = f" ({i.note})" if i.note else ""
        took = f" · recovered in {i.recovered_in:.1f}s" if i.recovered_in is not None else ""
        return f"{i.cause}{who}{params} [{i.other}]{took}"
    if k == "stall":
        return f"{i.agent} stalled (silent since {i.value or 0:.1f}s)"
    if k == "straggler":
        return f"{i.agent} is a straggler: {i.value or 0:.1f}s vs team median {i.ref or 0:.1f}s"
    if k == "recovery":
        return _recovery(i)
    if k == "lease":
        return f"lease on {i.subject} held by {i.other} expired"
    if k == "partition":
        return "partition " + " | ".join(i.names)
    if k == "stranded":
        return f"stranded: {', '.join(i.names)} ({i.note})"
    if k == "end":
        return f"run {i.cause}: {i.note}"
    return k


def _recovery(i: Incident) -> str:
    if i.cause == "reclaimed":
        return f"{i.agent}'s work reclaimed {i.value or 0:.1f}s after the {i.other}"
    if i.cause == "resumed":
        return f"{i.agent} recovered after {i.value or 0:.1f}s"
    if i.cause == "caught_up":
        return f"{i.agent} no longer a straggler ({i.value or 0:.1f}s)"
    if i.cause == "healed":
        return "network healed"
    return f"{i.agent} elected lead (was {i.other or 'none'})"
