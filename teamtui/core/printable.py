"""Text from a scenario, a recording or a model made safe for a terminal: control characters escaped.

A name can hold anything a TOML string or a database row can: ESC sequences that move the cursor, clear the
screen or retitle the window, carriage returns that overwrite a line, bidirectional overrides that reorder
it. `shown(text)` writes each such character as a visible escape (`\\x1b`, `\\n`, `\\u202e`), so the CLI's
tables and error lines and the monitor print it as text, never as a command to the terminal.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def shown(text: str) -> str:
    """`text` with every control character (C0, DEL, C1, bidirectional controls) written as an escape."""
    return _CONTROL.sub(_escape, text)
