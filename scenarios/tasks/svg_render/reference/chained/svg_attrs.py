"""Attribute strings (chained: built on svg_fmt_num.fmt_num)."""

from __future__ import annotations

from svg_fmt_num import fmt_num


def attrs_str(attrs: dict) -> str:
    out = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text = fmt_num(value)
        else:
            text = (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace('"', "&quot;"))
        out.append(f' {name}="{text}"')
    return "".join(out)
