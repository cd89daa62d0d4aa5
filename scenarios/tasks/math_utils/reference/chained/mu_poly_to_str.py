"""Format a polynomial (chained: built on mu_poly_range.poly_range)."""

from __future__ import annotations

from mu_poly_range import poly_range



def _num(c: float) -> str:
    return str(int(c)) if float(c).is_integer() else repr(float(c))


def poly_to_str(p: list[float]) -> str:
    if len(p) <= 1:
        lo, _hi = poly_range(p or [0], 0, 1)
        return _num(lo) if lo != 0 else "0"
    terms = []
    for i in range(len(p) - 1, -1, -1):
        c = p[i]
        if c == 0:
            continue
        mag = abs(c)
        body = _num(mag) if i == 0 or mag != 1 else ""
        if i >= 1:
            body += "x" + (f"^{i}" if i > 1 else "")
        terms.append(("-" if c < 0 else "+", body))
    if not terms:
        return "0"
    out = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    for sign, body in terms[1:]:
        out += f" {sign} {body}"
    return out
