"""SVG elements (chained: built on svg_attrs.attrs_str)."""

from __future__ import annotations

from svg_attrs import attrs_str


def element(tag: str, attrs: dict | None = None, content: str | None = None) -> str:
    head = f"<{tag}{attrs_str(attrs or {})}"
    return head + "/>" if content is None else f"{head}>{content}</{tag}>"
