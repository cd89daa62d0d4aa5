"""Redraw on change: each of the monitor's widgets is refreshed only when what it shows has changed.

A frame comes five times a second, but while a run goes at speed 1 most frames bring no event: only the
clock moves. Drawing a widget again (Rich rendering its tables, Textual laying the screen out) is what
costs, building its renderable is cheap. So a widget is first gated by a key of what its content depends
on (the reducer's version counter `RunState.seq` for what only events change, the shown clock for what
time changes), then its renderable is built and compared, by `fingerprint`, with what it shows: only a
widget whose text or styles differ is refreshed. A refresh asks Textual to lay the screen out again only
when what decides the widget's height (`rows`) changed; a layout costs far more than drawing one widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

_UNSET = object()


def text_key(text: Text) -> tuple[str, tuple[Any, ...], str]:
    """What a line looks like: its characters, its styled spans and its base style."""
    return text.plain, tuple(text.spans), str(text.style)


def fingerprint(content: object) -> object:
    """What a renderable shows, comparable with ==, without rendering it: text and styles of a `Text`, every
    cell of a `Table`, every part of a `Group`. Anything else is never equal to anything (always redrawn)."""
    if isinstance(content, Text):
        return text_key(content)
    if isinstance(content, str):
        return content
    if isinstance(content, Table):
        return ("table", fingerprint(content.title), tuple(str(r.style) for r in content.rows),
                tuple((fingerprint(c.header), tuple(fingerprint(x) for x in c.cells)) for c in content.columns))
    if isinstance(content, Group):
        return ("group", tuple(fingerprint(r) for r in content.renderables))
    if content is None:
        return None
    return object()


class Drawn:
    """The keys of what each widget last drew, by name; `changed(name, key)` says whether to draw again."""

    def __init__(self) -> None:
        self._keys: dict[str, object] = {}

    def changed(self, name: str, key: object) -> bool:
        """Whether `key` differs from the last one given for `name` (and remember it)."""
        if self._keys.get(name, _UNSET) == key:
            return False
        self._keys[name] = key
        return True


def put(widget: Static, drawn: Drawn, name: str, key: object, content: Callable[[], Any],
        rows: object = None) -> bool:
    """Show `content()` in `widget` if `key` changed and what it shows differs; lay the screen out again only
    when `rows` (what decides the widget's height; `HEIGHT`: its height measured) changed too. Returns whether
    it drew."""
    if not drawn.changed(f"{name}:key", key):
        return False
    made = content()
    if not drawn.changed(name, fingerprint(made)):
        return False
    if rows is HEIGHT:
        rows = height(widget, made)
    widget.update(made, layout=drawn.changed(f"{name}:rows", rows))
    return True


HEIGHT = object()
"""`put(..., rows=HEIGHT)`: lay out only when the content's rendered height changes (for an auto-height widget)."""


def height(widget: Static, content: Any) -> int:
    """The lines `content` takes at the widget's content width (rendered once with Rich, not laid out)."""
    console = widget.app.console
    width = max(1, widget.content_region.width)
    return len(console.render_lines(content, console.options.update_width(width), pad=False))
