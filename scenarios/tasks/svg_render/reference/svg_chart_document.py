"""Standalone SVG document."""

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


def scaled_bars(values: list[float], width: float, gap: float, height: float, **style: object) -> list[str]:
    if any(v < 0 for v in values):
        raise ValueError("values must not be negative")
    peak = max(values, default=0)
    scale = height / peak if peak else 0
    return bars([v * scale for v in values], width, gap, height, **style)


def bar_group(values: list[float], width: float, gap: float, height: float, **style: object) -> str:
    return '<g class="bars">' + "".join(scaled_bars(values, width, gap, height, **style)) + "</g>"


def _n(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def chart_body(values: list[float], width: float, gap: float, height: float, **style: object) -> str:
    n = len(values)
    total = n * width + (n - 1) * gap if n else 0
    line = f'<line x1="0" y1="{_n(height)}" x2="{_n(total)}" y2="{_n(height)}" stroke="black"/>'
    return bar_group(values, width, gap, height, **style) + line


def svg_chart(values: list[float], width: float = 20, gap: float = 5, height: float = 100, **style: object) -> str:
    n = len(values)
    w = n * width + (n - 1) * gap if n else 0
    size = " ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in (w, height))
    w_s, h_s = size.split()
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w_s}" height="{h_s}" '
            f'viewBox="0 0 {w_s} {h_s}">')
    return head + chart_body(values, width, gap, height, **style) + "</svg>"


def titled_chart(values: list[float], title: str, width: float = 20, gap: float = 5, height: float = 100,
                 **style: object) -> str:
    doc = svg_chart(values, width, gap, height, **style)
    cut = doc.index(">") + 1
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return doc[:cut] + f"<title>{safe}</title>" + doc[cut:]


def chart_document(values: list[float], title: str, width: float = 20, gap: float = 5, height: float = 100,
                   **style: object) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + titled_chart(values, title, width, gap, height, **style)
