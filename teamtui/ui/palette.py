"""The monitor's colours by role (error, warning, success...), taken from the app's Textual theme.

No Textual import: `palette_of(variables)` reads the theme's CSS variables (`App.get_css_variables()`), the
`$text-*` shades made to be read on the theme's background, so that a theme switch recolours every Rich
renderable of `teamtui.ui.render` as it recolours the CSS. `DEFAULT` is Textual's default theme
(textual-dark), for what is drawn outside an app (tests, the screenshots script).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.color import Color, blend_rgb


@dataclass(frozen=True)
class Palette:
    """One colour per role; the style tables below are derived from them."""

    primary: str = "#57A5E2"
    """What is under way: a model call, a claim, the subtask an agent works on, the part of a replay played."""
    secondary: str = "#5684A5"
    """A stalled agent."""
    accent: str = "#FFC473"
    """An agent restarting."""
    warning: str = "#FFC473"
    """Waiting, conflicts, stragglers, delays, leases."""
    error: str = "#D17E92"
    """Faults: kills, partitions, stranded work, failures."""
    success: str = "#8AD4A1"
    """Work done, recoveries, a run going."""
    foreground: str = "#E0E0E0"
    background: str = "#121212"

    def badge(self, state: str) -> str:
        """An agent's state badge (drawn reversed)."""
        return {
            "thinking": f"bold {self.primary}", "acting": f"bold {self.success}", "waiting": self.warning,
            "idle": "dim", "stalled": f"bold {self.secondary}", "straggler": f"bold {self.warning}",
            "killed": f"bold {self.error}", "restarting": f"bold {self.accent}", "done": f"bold {self.foreground}",
            "stopped": "dim",
        }[state]

    def task(self, state: str) -> str:
        """A subtask's line on the board by its state."""
        return {"blocked": "dim", "ready": self.foreground, "claimed": self.primary, "done": self.success}[state]

    def kind(self, kind: str) -> str:
        """An incident's mark by its kind."""
        return {
            "fault": f"bold {self.error}", "conflict": self.warning, "stall": self.secondary,
            "straggler": self.warning, "recovery": self.success, "lease": self.warning, "partition": self.error,
            "stranded": f"bold {self.error}", "end": "bold",
        }.get(kind, "")

    def shade(self, fraction: float) -> str:
        """A heat-map cell's background: from the background (0) to the primary colour (1)."""
        low, high = Color.parse(self.background).get_truecolor(), Color.parse(self.primary).get_truecolor()
        r, g, b = blend_rgb(low, high, 0.25 + 0.75 * max(0.0, min(1.0, fraction)))
        return f"on rgb({r},{g},{b})"


DEFAULT = Palette()


def palette_of(variables: Mapping[str, str]) -> Palette:
    """The palette of a theme, from its CSS variables (`App.get_css_variables()`); a role a theme leaves out keeps
    the default's colour."""

    def pick(name: str, default: str) -> str:
        value = variables.get(f"text-{name}") or variables.get(name) or default
        try:
            Color.parse(value)
        except Exception:
            return default
        return value

    d = DEFAULT
    return Palette(primary=pick("primary", d.primary), secondary=pick("secondary", d.secondary),
                   accent=pick("accent", d.accent), warning=pick("warning", d.warning), error=pick("error", d.error),
                   success=pick("success", d.success),
                   foreground=pick("foreground", d.foreground), background=pick("background", d.background))
