"""Regenerate the sim-vs-paper comparisons of docs/sweeps.md and the paper's table of docs/reproduction.md.

Runs the paper's grid with the default simulated team
(`teamtui sweep scenarios/experiments/paper_grid_default.toml`, 900 runs), reads the paper's imported runs
(`teamtui import PAPER_DATA --db PAPER_DB` first), and writes, between the `sim-vs-paper` markers of
docs/sweeps.md, the 44 headline figures side by side (what `teamtui compare` prints) and the paper's findings
checked on both, and between the `paper-table` markers of docs/reproduction.md, the paper's own table. With
`--profiles` it runs `paper_grid.toml` instead (the three calibrated profiles under the harness's rules, 1,350
runs) and writes the comparison between the `calibrated-vs-paper` markers of docs/reproduction.md.
Run it again whenever the sim changes:

    python scripts/sim_vs_paper.py --paper-db /tmp/paperdb/runs.db --write
    python scripts/sim_vs_paper.py --paper-db /tmp/paperdb/runs.db --profiles --write
    python scripts/sim_vs_paper.py --paper-db /tmp/paperdb/runs.db --sim-db /tmp/sim.db --sim-sweep latest  # no rerun
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from teamtui.experiments import claims, compare
from teamtui.experiments.analysis import analyze
from teamtui.experiments.markdown_tables import kim_section, paper_table_section
from teamtui.experiments.report import load

ROOT = Path(__file__).resolve().parent.parent
GRIDS = {False: "scenarios/experiments/paper_grid_default.toml", True: "scenarios/experiments/paper_grid.toml"}


def run_sweep(db: Path, jobs: int, grid: str) -> str:
    subprocess.run([sys.executable, "-m", "teamtui", "sweep", grid, "--db", str(db), "--jobs", str(jobs)],
                   cwd=ROOT, check=True)
    return "latest"


def commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def replace_block(path: Path, name: str, text: str) -> None:
    doc = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(doc):
        raise SystemExit(f"{path}: no <!-- {name}:start --> ... <!-- {name}:end --> block to replace")
    path.write_text(pattern.sub(lambda m: m.group(1) + text + "\n" + m.group(2), doc), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paper-db", type=Path, required=True, help="the database the paper's runs were imported into")
    ap.add_argument("--paper-sweep", default="latest")
    ap.add_argument("--sim-db", type=Path, help="a database with the sim's paper-grid sweep (default: run one now)")
    ap.add_argument("--sim-sweep", default="latest")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--profiles", action="store_true", help="the calibrated profiles' grid, not the default sim's")
    ap.add_argument("--write", action="store_true", help="update docs/sweeps.md and docs/reproduction.md")
    args = ap.parse_args()
    grid = GRIDS[args.profiles]
    sim_db = args.sim_db or Path(tempfile.mkdtemp()) / "sim.db"
    sim_ref = args.sim_sweep if args.sim_db else run_sweep(sim_db, args.jobs, grid)
    meta_s, rows_s = load(sim_db, sim_ref)
    meta_p, rows_p = load(args.paper_db, args.paper_sweep)
    sim, paper = analyze(rows_s, meta_s), analyze(rows_p, meta_p)
    result = compare.compare_tables(sim.paper_table, paper.paper_table)
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    flag = " --profiles" if args.profiles else ""
    head = (f"*Generated on {when} by `python scripts/sim_vs_paper.py --paper-db PAPER_DB{flag} --write` at commit "
            f"{commit()}: A = the sim's paper grid (`{grid}`, "
            f"sweep `{meta_s['id']}`, {sim.done} runs), B = the paper's "
            f"imported runs (sweep `{meta_p['id']}`, {paper.done} runs). Mean [95 % CI] (runs).*")
    sweeps_md = "\n".join([head, "", compare.markdown(result, "sim", "paper"), "",
                           "The paper's findings, each on the paper's own metric, on both (Mann–Whitney between "
                           "preassigned and decentralized team runs, r = P(preassigned > decentralized) − P(<)):", "",
                           claims.markdown(sim, paper, "the sim", "the paper's runs")])
    repro_md = "\n".join([f"*Generated on {when} by `python scripts/sim_vs_paper.py --paper-db PAPER_DB --write` "
                          f"(sweep `{meta_p['id']}`, {paper.done} runs); `teamtui report` writes the same.*", "",
                          *paper_table_section(paper)[2:], "", *kim_section(paper)])
    print(sweeps_md + "\n\n" + repro_md)
    if args.write and args.profiles:  # the calibrated grid: in reproduction.md (the paper's table stays as it is)
        replace_block(ROOT / "docs" / "reproduction.md", "calibrated-vs-paper", sweeps_md)
    elif args.write:
        replace_block(ROOT / "docs" / "sweeps.md", "sim-vs-paper", sweeps_md)
        replace_block(ROOT / "docs" / "reproduction.md", "paper-table", repro_md)


if __name__ == "__main__":
    main()
