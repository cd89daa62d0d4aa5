"""Format a polynomial."""

from __future__ import annotations

def _num(c: float) -> str:
    return str(int(c)) if float(c).is_integer() else repr(float(c))


def poly_to_str(p: list[float]) -> str:
    terms = []
    for i in range(len(p) - 1, -1, -1):
        c = p[i]
        if c == 0:
            continue
        mag = abs(c)
        body = _num(mag) if i == 0 or mag != 1 else ""
        if i >= 1:
            body += "x" + (f"^{i}" if i > 1 else "")
        sign = "-" if c < 0 else "+"
        terms.append((sign, body))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    out = ("-" if first_sign == "-" else "") + first
    for sign, body in terms[1:]:
        out += f" {sign} {body}"
    return out
