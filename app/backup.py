"""Backup and restore of one instance: the database and the evidence folder, in one ``.tar`` file.

PostgreSQL goes through ``pg_dump -Fc`` and ``pg_restore`` (the client tools of the server's major
version); SQLite through its online backup API (consistent while the app runs). The evidence folder
(``EVIDENCE_DIR``, by default ``instance/evidence``) is copied file by file. The archive holds::

    manifest.json      when, which database kind, the schema revision, rows per table, files and their sha256
    database.dump      pg_dump -Fc           (PostgreSQL)
    database.sqlite3   a copy of the database (SQLite)
    evidence/…         the evidence folder as it was

Restoring refuses a database that already has tables, or a non-empty evidence folder, unless told to
replace them (``force``): a restore over a live instance is a decision, not an accident.
``fingerprint`` (row counts and a checksum of every table's content) is what the test compares.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Optional

from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import URL, make_url

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
EVIDENCE = "evidence"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message is Vietnamese and says why."""


# -- where things are -----------------------------------------------------------------------------------


def evidence_dir(app) -> Path:
    """The instance's evidence folder: EVIDENCE_DIR (setting or config), else instance/evidence."""
    from app.settings import settings as current_settings

    with app.app_context():
        configured = getattr(current_settings(), "evidence_dir", None)
    configured = configured or app.config.get("EVIDENCE_DIR")
    if configured:
        return Path(configured)
    return Path(app.config.get("INSTANCE_DIR") or "instance") / "evidence"


def _url(database_url: str) -> URL:
    return make_url(database_url)


def _dialect(url: URL) -> str:
    return url.get_backend_name()


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's environment for the URL: the password never appears on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Không sao lưu được CSDL SQLite trong bộ nhớ.")
    return Path(url.database)


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"Không tìm thấy lệnh {cmd[0]} (cài gói postgresql-client cùng phiên bản với máy chủ).") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} không thành công: {done.stderr.strip() or done.stdout.strip()}")


# -- fingerprint: what "equal" means ---------------------------------------------------------------------


def _canonical(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "b:" + bytes(value).hex()
    if isinstance(value, dt.datetime):
        # One instant, however the driver returns it (aware on PostgreSQL, naive on SQLite).
        return "t:" + (value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat() if value.tzinfo else value.isoformat())
    return f"{type(value).__name__}:{value}"


def fingerprint(database_url: str) -> dict[str, dict]:
    """Every table of the default schema: its row count and a sha256 of its rows (ordered by primary key).

    On PostgreSQL also every sequence's next value, so a restored instance does not collide on its next insert.
    """
    engine = create_engine(database_url)
    try:
        out: dict[str, dict] = {}
        with engine.connect() as conn:
            insp = inspect(conn)
            meta = MetaData()
            for name in sorted(insp.get_table_names()):
                table = Table(name, meta, autoload_with=conn)
                order = list(table.primary_key.columns) or list(table.columns)
                digest = hashlib.sha256()
                count = 0
                for row in conn.execute(select(table).order_by(*order)):
                    digest.update("\x1f".join(_canonical(v) for v in row).encode())
                    digest.update(b"\x1e")
                    count += 1
                out[name] = {"rows": count, "sha256": digest.hexdigest()}
            if conn.dialect.name == "postgresql":
                for seq, last in conn.execute(text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = current_schema() ORDER BY 1")):
                    out[f"sequence:{seq}"] = {"last_value": last}
        return out
    finally:
        engine.dispose()


def files_of(folder: Path) -> dict[str, str]:
    """Every file under the folder (relative path with /) and its sha256."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = _sha256_file(path)
    return found


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _revision(database_url: str) -> Optional[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if "alembic_version" not in inspect(conn).get_table_names():
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


# -- backup ----------------------------------------------------------------------------------------------


def backup(database_url: str, evidence: Path, out: Path) -> dict:
    """Write the archive ``out`` (written beside, then renamed: a cut-off run leaves no half file)."""
    url = _url(database_url)
    evidence = Path(evidence)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="danhgia-backup-", dir=out.parent) as work:
        work = Path(work)
        dialect = _dialect(url)
        if dialect == "postgresql":
            db_file = work / PG_DUMP
            _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(db_file)], _pg_env(url), "pg_dump")
        elif dialect == "sqlite":
            db_file = work / SQLITE_COPY
            source = sqlite3.connect(str(_sqlite_path(url)))
            target = sqlite3.connect(str(db_file))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            raise BackupError(f"Chưa hỗ trợ sao lưu CSDL loại {dialect}.")
        prints = fingerprint(database_url)
        files = files_of(evidence)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "dialect": dialect,
            "revision": _revision(database_url),
            "tables": {k: v["rows"] for k, v in prints.items() if "rows" in v},
            "evidence": files,
        }
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for rel in files:
                tar.add(evidence / rel, arcname=f"{EVIDENCE}/{rel}", recursive=False)
        os.replace(partial, out)
    return manifest


# -- restore ---------------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r") as tar:
        member = tar.getmember(MANIFEST)
        return json.loads(tar.extractfile(member).read())


def _has_tables(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def restore(archive: Path, database_url: str, evidence: Path, force: bool = False) -> dict:
    """Put the archive's database into ``database_url`` and its files into ``evidence``; return the manifest.

    Checks after restoring: the rows per table and every file's sha256 equal the manifest's.
    """
    archive = Path(archive)
    evidence = Path(evidence)
    url = _url(database_url)
    if not archive.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {archive}.")
    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT:
        raise BackupError("Tệp sao lưu không đúng định dạng của phần mềm này.")
    dialect = _dialect(url)
    if manifest["dialect"] != dialect:
        raise BackupError(f"Tệp sao lưu là của CSDL {manifest['dialect']}, không khôi phục được vào CSDL {dialect}.")
    if not force:
        if _has_tables(database_url):
            raise BackupError("CSDL đích đã có dữ liệu: dùng --force để thay thế toàn bộ.")
        if evidence.is_dir() and any(evidence.iterdir()):
            raise BackupError(f"Thư mục minh chứng {evidence} không trống: dùng --force để thay thế toàn bộ.")

    with tempfile.TemporaryDirectory(prefix="danhgia-restore-") as work:
        work = Path(work)
        with tarfile.open(archive, "r") as tar:
            tar.extractall(work, filter="data")  # no absolute paths, no "..", no links out of the folder
        if dialect == "postgresql":
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  "--exit-on-error", "-d", url.database, str(work / PG_DUMP)], _pg_env(url), "pg_restore")
        else:
            path = _sqlite_path(url)
            path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(str(work / SQLITE_COPY))
            target = sqlite3.connect(str(path))
            try:
                source.backup(target)  # replaces the whole target database, page by page
            finally:
                target.close()
                source.close()
        staged = work / EVIDENCE
        if evidence.exists():
            shutil.rmtree(evidence)
        evidence.parent.mkdir(parents=True, exist_ok=True)
        if staged.is_dir():
            shutil.copytree(staged, evidence)
        else:
            evidence.mkdir()

    tables = {k: v["rows"] for k, v in fingerprint(database_url).items() if "rows" in v}
    if tables != manifest["tables"]:
        wrong = sorted(k for k in set(tables) | set(manifest["tables"]) if tables.get(k) != manifest["tables"].get(k))
        raise BackupError("Số dòng sau khi khôi phục khác bản sao lưu ở các bảng: " + ", ".join(wrong))
    if files_of(evidence) != manifest["evidence"]:
        raise BackupError("Các tệp minh chứng sau khi khôi phục khác bản sao lưu.")
    return manifest
