"""Backup and restore: a restored instance equals the original, table by table and file by file.

On PostgreSQL (``make test-postgres``) the archive is made with pg_dump -Fc and restored with pg_restore into a
database the test creates; on SQLite through its backup API into a new file. Either way the instance has a
month open (sheets, events) and an evidence folder with nested, binary and Vietnamese-named files.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import backup as ops
from tests.evaluation_fixtures import open_period


@pytest.fixture
def evidence(app, tmp_path):
    folder = tmp_path / "evidence"
    (folder / "2026-11" / "sheet-1").mkdir(parents=True)
    (folder / "2026-11" / "sheet-1" / "Báo cáo tháng 11.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2048))
    (folder / "2026-11" / "anh.png").write_bytes(bytes(range(256)) * 8)
    (folder / "readme.txt").write_text("Minh chứng công việc", encoding="utf-8")
    from app.settings import replace

    previous = app.config.get("EVIDENCE_DIR")
    app.config["EVIDENCE_DIR"] = str(folder)
    settings_before = None
    if hasattr(app.extensions["settings"], "evidence_dir"):  # the setting of the tasks' evidence (EVIDENCE_DIR)
        settings_before = replace(app, evidence_dir=str(folder))
    assert ops.evidence_dir(app) == folder
    yield folder
    if settings_before is not None:
        app.extensions["settings"] = settings_before
    if previous is None:
        app.config.pop("EVIDENCE_DIR", None)
    else:
        app.config["EVIDENCE_DIR"] = previous


@pytest.fixture
def target_url(database_url, tmp_path):
    """An empty database of the same kind as the test database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{url.database}_restored_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_restored_instance_equals_the_original(app, ctx, database_url, evidence, target_url, tmp_path):
    open_period(ctx)  # a month open: one sheet per person
    ctx.remove()
    archive = tmp_path / "backups" / "danhgia.tar"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output and archive.is_file()
    assert not list(archive.parent.glob("*.part"))

    original = ops.fingerprint(database_url)
    assert original["sheet"]["rows"] > 100 and original["period"]["rows"] == 1
    assert original["ab_user"]["rows"] > 100 and original["alembic_version"]["rows"] == 1
    manifest = ops.read_manifest(archive)
    assert manifest["dialect"] == make_url(database_url).get_backend_name()
    assert manifest["tables"] == {k: v["rows"] for k, v in original.items() if "rows" in v}
    if manifest["dialect"] == "postgresql":
        assert any(k.startswith("sequence:") for k in original)  # sequences are compared too

    restored_files = tmp_path / "restored-evidence"
    ops.restore(archive, target_url, restored_files)

    assert ops.fingerprint(target_url) == original
    assert ops.files_of(restored_files) == ops.files_of(evidence)
    assert len(ops.files_of(restored_files)) == 3
    assert (restored_files / "2026-11" / "sheet-1" / "Báo cáo tháng 11.pdf").read_bytes() == \
        (evidence / "2026-11" / "sheet-1" / "Báo cáo tháng 11.pdf").read_bytes()

    # The comparison can fail: one changed cell is a different fingerprint.
    engine = create_engine(target_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ab_user SET first_name = first_name || 'x' WHERE id = (SELECT min(id) FROM ab_user)"))
    engine.dispose()
    changed = ops.fingerprint(target_url)
    assert changed["ab_user"] != original["ab_user"] and changed["sheet"] == original["sheet"]

    # A second restore over a used database is refused without --force, and with it puts the original back.
    with pytest.raises(ops.BackupError, match="đã có dữ liệu"):
        ops.restore(archive, target_url, tmp_path / "elsewhere")
    (restored_files / "extra.txt").write_text("không có trong bản sao lưu")
    ops.restore(archive, target_url, restored_files, force=True)
    assert ops.fingerprint(target_url) == original
    assert ops.files_of(restored_files) == ops.files_of(evidence)


def test_restore_command_refuses_a_database_in_use(app, evidence, tmp_path):
    archive = tmp_path / "b.tar"
    assert app.test_cli_runner().invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "Lỗi: CSDL đích đã có dữ liệu" in result.output


def test_an_archive_of_the_other_database_kind_is_refused(database_url, tmp_path):
    other = "postgresql+psycopg://u@127.0.0.1:1/x" if database_url.startswith("sqlite") else f"sqlite:///{tmp_path}/x.db"
    import io
    import json
    import tarfile

    archive = tmp_path / "other.tar"
    with tarfile.open(archive, "w") as tar:
        data = json.dumps({"format": ops.FORMAT, "dialect": "mysql", "tables": {}, "evidence": {}}).encode()
        info = tarfile.TarInfo(ops.MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(ops.BackupError, match="không khôi phục được"):
        ops.restore(archive, other, tmp_path / "ev")
    assert not (tmp_path / "ev").exists()
