"""A row of bars."""

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


def element(tag: str, attrs: dict | None = None, content: str | None = None) -> str:
    head = f"<{tag}{attrs_str(attrs or {})}"
    return head + "/>" if content is None else f"{head}>{content}</{tag}>"


def rect(x: float, y: float, width: float, height: float, **style: object) -> str:
    if width < 0 or height < 0:
        raise ValueError("width and height must not be negative")
    return element("rect", {"x": x, "y": y, "width": width, "height": height, **style})


def bar(x: float, baseline: float, width: float, value: float, **style: object) -> str:
    if value >= 0:
        return rect(x, baseline - value, width, value, **style)
    return rect(x, baseline, width, -value, **style)


def bars(values: list[float], width: float, gap: float, baseline: float, **style: object) -> list[str]:
    return [bar(i * (width + gap), baseline, width, v, **style) for i, v in enumerate(values)]
