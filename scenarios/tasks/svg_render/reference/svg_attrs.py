"""Attribute strings."""

from __future__ import annotations


def fmt_num(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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
