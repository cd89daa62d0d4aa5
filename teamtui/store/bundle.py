"""One-file runs: a run and everything the store keeps for it, in one SQLite file of the run database's schema.

A bundle (`teamtui export RUN --format bundle -o run.teamtui`) is a run database that holds one run — its
`runs` row, its events, its replay checkpoints, its fork link and its sweep cell, byte for byte — plus two
tables of its own: `bundle` (the manifest: format, bundle version, schema version, the teamtui that wrote it,
when, which run, how many events) and `bundle_files` (the run's cassettes, so a real-model run can be made
again offline elsewhere). Replay opens it directly, read-only; `import_bundle` copies the run into another
database in one transaction. Whatever is wrong with a file given as a bundle — missing, not SQLite, no
manifest, from a newer teamtui, damaged or cut short — is one `BundleError` line naming the file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from teamtui.core import files
from teamtui.store.connect import connect_ro
from teamtui.store.schema import SCHEMA_VERSION, RecorderError, migration_scripts, open_for_writing
from teamtui.store.writer import RUN_COLUMNS, insert_events, insert_run_values, now, versions

FORMAT = "teamtui-bundle"
BUNDLE_VERSION = 1
SUFFIX = ".teamtui"
_MAGIC = b"SQLite format 3\x00"
_TABLES = """
CREATE TABLE bundle (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE bundle_files (name TEXT PRIMARY KEY, role TEXT NOT NULL, source TEXT NOT NULL, data BLOB NOT NULL)
    WITHOUT ROWID;
"""
_EVENTS = "SELECT run_id, seq, t, agent, kind, payload FROM events WHERE run_id=? ORDER BY seq"
_SIDE_TABLES = (("checkpoints", "run_id, seq, state"), ("forks", "run_id, parent, at_seq, at_t, change"),
                ("sweep_cells", "sweep_id, cell, params, run_id, status"))
"""The other tables that hang off a run, copied row for row (a cell's sweep row comes with it)."""


class BundleError(RecorderError):
    """A file given as a bundle that teamtui cannot read, or a bundle it cannot write or import."""


@dataclass(frozen=True)
class Manifest:
    """What a bundle says about itself."""

    path: Path
    run_id: str
    bundle_version: int
    schema_version: int
    teamtui_version: str
    created: str
    events: int
    files: list[str] = field(default_factory=list)


def is_bundle_ref(ref: str) -> bool:
    """Whether a RUN argument names a bundle file rather than a run in the database (see `looks_like_bundle`)."""
    return looks_like_bundle(Path(ref))


def looks_like_bundle(path: Path) -> bool:
    """Whether `teamtui import PATH` means a bundle: a `.teamtui` name, or a regular file that is a SQLite database
    (the paper harness's files are JSON, JSON lines or parquet)."""
    if path.suffix == SUFFIX:
        return True
    if not path.is_file():  # never open a FIFO or a folder to sniff it
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


def write_bundle(db: Path, run_id: str, out: Path, cassettes: tuple[Path, ...] = ()) -> tuple[Manifest, list[str]]:
    """Write run `run_id` of database `db` to the bundle `out` (replaced atomically); returns its manifest and
    notes (a cassette the run names that is not on this machine)."""
    if out.exists() and (out.resolve() == db.resolve() or not out.is_file() or _foreign_database(out)):
        raise BundleError(f"{out}: already there and not a bundle (a run database?); nothing written: "
                          "choose another -o")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    notes: list[str] = []
    try:
        src = connect_ro(db)
        dst = sqlite3.connect(tmp)
        try:
            for script in migration_scripts(tmp, 0, set()):
                dst.executescript(script)
            dst.executescript(_TABLES)
            dst.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            row = src.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
            if row is None:
                raise BundleError(f'no run "{run_id}" in {db}')
            insert_run_values(dst, row)
            insert_events(dst, src.execute(_EVENTS, (run_id,)))
            count = int(dst.execute("SELECT COUNT(*) FROM events").fetchone()[0])
            _copy_side_tables(src, dst, run_id)
            names = _bundle_cassettes(dst, _cassettes_of(str(row[8]), cassettes, notes))
            manifest = {"format": FORMAT, "bundle_version": BUNDLE_VERSION, "schema_version": SCHEMA_VERSION,
                        "teamtui_version": versions()["teamtui"], "created": now(), "run_id": run_id,
                        "events": count}
            dst.executemany("INSERT INTO bundle (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in manifest.items()])
            dst.commit()
        finally:
            dst.close()
            src.close()
        os.replace(tmp, out)
    except sqlite3.DatabaseError as exc:
        raise BundleError(f"{out}: cannot write the bundle ({exc}); check the run with teamtui runs") from None
    except OSError as exc:
        raise BundleError(f"{out}: cannot write the bundle: {exc.strerror}; choose another -o") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return Manifest(out, run_id, BUNDLE_VERSION, SCHEMA_VERSION, str(manifest["teamtui_version"]),
                    str(manifest["created"]), count, names), notes


def _foreign_database(path: Path) -> bool:
    """A SQLite file that is not a bundle (a run database, say): `-o` never overwrites one."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(_MAGIC)) != _MAGIC:
                return False
    except OSError:
        return False
    try:
        conn = connect_ro(path)
        try:
            return conn.execute("SELECT 1 FROM sqlite_master WHERE name='bundle'").fetchone() is None
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True


def _copy_side_tables(src: sqlite3.Connection, dst: sqlite3.Connection, run_id: str) -> None:
    have = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table, cols in _SIDE_TABLES:
        if table in have:
            rows = src.execute(f"SELECT {cols} FROM {table} WHERE run_id=?", (run_id,)).fetchall()
            marks = ",".join("?" * (cols.count(",") + 1))
            dst.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    if "sweeps" in have:
        sweeps = [r[0] for r in dst.execute("SELECT sweep_id FROM sweep_cells")]
        for sweep in sweeps:
            cols = "id, name, source, grid, created, status"
            row = src.execute(f"SELECT {cols} FROM sweeps WHERE id=?", (sweep,)).fetchone()
            if row is not None:
                dst.execute(f"INSERT INTO sweeps ({cols}) VALUES (?,?,?,?,?,?)", row)


def _cassettes_of(models_json: str, given: tuple[Path, ...], notes: list[str]) -> list[Path]:
    import json

    named = [Path(m.removeprefix("cassette:")) for m in json.loads(models_json) if m.startswith("cassette:")]
    found = []
    for path in named:
        if path.is_file():
            found.append(path)
        else:
            notes.append(f"the run replayed cassette {path}, which is not here: the bundle goes without it "
                         "(add it with --cassette PATH)")
    return [*found, *(p for p in given if p not in found)]


def _bundle_cassettes(dst: sqlite3.Connection, paths: list[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        data = files.read_bytes(path, "cassette", "give the cassette the run was recorded to (--record-llm)")
        name = path.name if path.name not in names else f"{len(names)}-{path.name}"
        dst.execute("INSERT INTO bundle_files (name, role, source, data) VALUES (?, 'cassette', ?, ?)",
                    (name, str(path), data))
        names.append(name)
    return names


def open_bundle(path: Path) -> Manifest:
    """Check that `path` is a bundle this teamtui reads, whole; its manifest, or one `BundleError` line."""
    how = "a bundle is written by teamtui export RUN --format bundle -o FILE.teamtui"
    if not path.is_file():
        raise BundleError(f"{path}: no such bundle file{'' if not path.exists() else ' (not a regular file)'}; {how}")
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(_MAGIC))
    except OSError as exc:
        raise BundleError(f"{path}: cannot read the bundle: {exc.strerror}") from None
    if magic != _MAGIC:
        raise BundleError(f"{path}: not a teamtui bundle (not a SQLite file); {how}")
    try:
        conn = connect_ro(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "bundle" not in tables:
                hint = f"it looks like a run database: use --db {path}" if "runs" in tables else how
                raise BundleError(f"{path}: not a teamtui bundle (it has no manifest); {hint}")
            meta = dict(conn.execute("SELECT key, value FROM bundle").fetchall())
            if meta.get("format") != FORMAT:
                raise BundleError(f"{path}: not a teamtui bundle (format {meta.get('format')!r}); {how}")
            manifest = _manifest(path, meta, int(conn.execute("PRAGMA user_version").fetchone()[0]))
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            stored = conn.execute("SELECT COUNT(*) FROM events WHERE run_id=?", (manifest.run_id,)).fetchone()[0]
            listed = [r[0] for r in conn.execute("SELECT name FROM bundle_files ORDER BY name")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BundleError(f"{path}: the bundle is damaged or cut short ({exc}); export the run again") from None
    if check != "ok" or stored != manifest.events:
        raise BundleError(f"{path}: the bundle is damaged or cut short ({stored} of its {manifest.events} events "
                          f"read back; integrity check: {str(check)[:80]}); export the run again")
    return Manifest(**{**manifest.__dict__, "files": listed})


def _manifest(path: Path, meta: dict[str, str], user_version: int) -> Manifest:
    try:
        bundle_version, schema_version = int(meta["bundle_version"]), int(meta["schema_version"])
        run_id, events = meta["run_id"], int(meta["events"])
    except (KeyError, ValueError) as exc:
        raise BundleError(f"{path}: the bundle's manifest is damaged ({type(exc).__name__}: {exc}); "
                          "export the run again") from None
    writer = meta.get("teamtui_version", "?")
    if bundle_version > BUNDLE_VERSION or max(schema_version, user_version) > SCHEMA_VERSION:
        raise BundleError(f"{path}: written by a newer teamtui ({writer}: bundle version {bundle_version}, schema "
                          f"{max(schema_version, user_version)}); this one reads bundle version {BUNDLE_VERSION}, "
                          f"schema {SCHEMA_VERSION}; upgrade teamtui")
    return Manifest(path, run_id, bundle_version, schema_version, writer, meta.get("created", ""), events)


@dataclass(frozen=True)
class Imported:
    """What `import_bundle` did."""

    run_id: str
    events: int
    already: bool
    cassettes: list[Path]


def import_bundle(path: Path, db: Path) -> Imported:
    """Copy the run of bundle `path` into database `db` in one transaction, with its cassettes beside the database
    (`cassettes/RUN/NAME`); a run already there is left as it is (`already`)."""
    manifest = open_bundle(path)
    run_id = manifest.run_id
    src = connect_ro(path)
    dst = open_for_writing(db)
    try:
        present = dst.execute("SELECT COUNT(*) FROM events WHERE run_id=?", (run_id,)).fetchone()[0]
        if dst.execute("SELECT 1 FROM runs WHERE id=?", (run_id,)).fetchone() is not None:
            if present != manifest.events:
                raise BundleError(f"{db}: another run {run_id} is already there ({present} events, the bundle's has "
                                  f"{manifest.events}); nothing imported: import into another --db")
            return Imported(run_id, present, True, [])
        with dst:
            insert_run_values(dst, src.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone())
            insert_events(dst, src.execute(_EVENTS, (run_id,)))
            for table, cols in _SIDE_TABLES[:2]:  # a sweep's other cells are not here: the run comes in on its own
                rows = src.execute(f"SELECT {cols} FROM {table} WHERE run_id=?", (run_id,)).fetchall()
                marks = ",".join("?" * (cols.count(",") + 1))
                dst.executemany(f"INSERT OR REPLACE INTO {table} ({cols}) VALUES ({marks})", rows)
        saved = _save_cassettes(src, db.parent / "cassettes" / run_id)
    except sqlite3.DatabaseError as exc:
        from teamtui.store.schema import explain

        raise BundleError(explain(db, exc)) from None
    finally:
        src.close()
        dst.close()
    return Imported(run_id, manifest.events, False, saved)


def _save_cassettes(src: sqlite3.Connection, folder: Path) -> list[Path]:
    saved = []
    for name, data in src.execute("SELECT name, data FROM bundle_files WHERE role='cassette' ORDER BY name"):
        target = folder / Path(name).name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(data)
        except OSError as exc:
            raise BundleError(f"{target}: cannot write the bundle's cassette: {exc.strerror}; the run itself was "
                              "imported") from None
        saved.append(target)
    return saved
