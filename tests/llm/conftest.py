"""Fixtures for real-model tests: a three-subtask slice of the math_utils pack and scenario text for it."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

MU = ROOT / "scenarios" / "tasks" / "math_utils"
KEEP = ("mu_poly_trim", "mu_poly_add", "mu_gcd")
FAKE_KEY = "sk-teamtui-FAKE-9f8e7d6c5b4a3928"


def reference(sub: str, chained: bool = False) -> str:
    return (MU / "reference" / ("chained" if chained else "") / f"{sub}.py").read_text()


@pytest.fixture
def mini_pack(tmp_path: Path) -> Path:
    """math_utils cut to poly_trim -> poly_add (a chain) and gcd (independent), with the pack's own tests."""
    import tomllib

    data = tomllib.loads((MU / "pack.toml").read_text())
    subs = [s for s in data["subtasks"] if s["id"] in KEEP]
    pack = tmp_path / "mini"
    (pack / "tests").mkdir(parents=True)
    (pack / "reference" / "chained").mkdir(parents=True)
    lines = ['[pack]\nname = "mini"\ntitle = "Math utilities (slice)"\n', '[variants]\n"0.5" = 2\n']
    for s in subs:
        lines.append("[[subtasks]]")
        for k, v in s.items():
            lines.append(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = """{v}"""')
        shutil.copy(MU / "tests" / f"test_{s['id']}.py", pack / "tests")
        shutil.copy(MU / "reference" / s["file"], pack / "reference")
        if (MU / "reference" / "chained" / s["file"]).exists():
            shutil.copy(MU / "reference" / "chained" / s["file"], pack / "reference" / "chained")
    shutil.copy(MU / "tests" / "pytest.ini", pack / "tests")
    (pack / "pack.toml").write_text("\n".join(lines) + "\n")
    return pack


def scenario_text(pack: Path, url: str, *, arch: str = "decentralized", protocol: str = "tools",
                  model: str = "openai/whatever", extra_team: str = "", limits: str = "", size: int = 3) -> str:
    return textwrap.dedent(f"""
        [scenario]
        name = "llm test"
        seed = 1
        [team]
        size = {size}
        architecture = "{arch}"
        execution = "rounds"
        model = "{model}"
        api_base = "{url}"
        api_key_env = "TEAMTUI_TEST_KEY"
        protocol = "{protocol}"
        retries = 2
        {extra_team}
        [task]
        pack = "{pack}"
        p = 0.5
        [limits]
        max_rounds = 8
        stall_after_s = 600
        test_timeout_s = 60
        {limits}
    """)


@pytest.fixture
def fake_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TEAMTUI_TEST_KEY", FAKE_KEY)
    return FAKE_KEY


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests may reach 127.0.0.1 (the servers they start) and nothing else: a connection elsewhere fails."""
    import socket

    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else ""
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"test tried to reach {address}: only 127.0.0.1 is allowed")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
