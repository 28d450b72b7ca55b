"""Mẫu 01 screens: template, upload with preview, confirm, credential sheet, error sheet.

Uploads are kept under instance/mau01/ for their owner only (another person, even of the same
unit, gets 404). The credential sheet is sealed with a key held in the owner's session only.
"""
from __future__ import annotations

import io
import json
import secrets
import time
from pathlib import Path

from flask import abort, flash, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user
from sqlalchemy import select

from app.domain.roles import EVAL_ROLE_BY_CODE
from app.extensions import db
from app.models import OrgUnit
from app.security.scope import current_actor, org_clause
from app.domain.errors import DomainError
from app.services import clock, sealed, uow
from app.services import mau01 as import_service
from app.excel.mau01 import credentials_bytes, error_sheet_bytes, template_bytes
from app.excel.reader import app_limits
from app.settings import settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTION_LABELS = {"create": "Tạo mới", "update": "Cập nhật", "unchanged": "Không đổi"}
PREVIEW_LIMIT = 2000  # rows listed on the preview page; counts always cover the whole sheet


def _folder(kind: str) -> Path:
    path = Path(settings().instance_dir) / "mau01" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


KEEP_SECONDS = 24 * 3600  # uploads not confirmed and credential sheets not downloaded within a day go


def _purge_old(now: float) -> None:
    """Remove uploads and sealed sheets older than KEEP_SECONDS (a sealed sheet's key is gone with its session)."""
    for kind in ("uploads", "credentials"):
        for path in _folder(kind).iterdir():
            try:
                if now - path.stat().st_mtime > KEEP_SECONDS:
                    path.unlink()
            except FileNotFoundError:
                pass


def _valid_token(token: str) -> bool:
    return 10 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def store_credentials(accounts: list[dict]) -> str:
    """Seal a credential sheet for the signed-in admin; the key stays in their session. Returns its token."""
    sheet_bytes = credentials_bytes(accounts, settings().org_name)
    token, key = sealed.store(_folder("credentials"), sheet_bytes)
    keys = dict(session.get("mau01_keys", {}))
    keys[token] = key
    session["mau01_keys"] = keys
    return token


class Mau01View(BaseView):
    route_base = "/mau01"
    class_permission_name = "Mau01"
    default_view = "index"
    method_permission_name = {
        "index": "upload",
        "upload": "upload",
        "template": "template",
        "errors": "errors",
        "confirm": "confirm",
        "credentials": "credentials",
    }

    # -- helpers ---------------------------------------------------------------------------------
    def _blocks(self):
        actor = current_actor()
        return db.session.scalars(
            select(OrgUnit).where(OrgUnit.kind == "block", org_clause(actor, "block", manage=True)).order_by(OrgUnit.name)
        ).all()

    def _upload_paths(self, token: str) -> tuple[Path, Path]:
        if not _valid_token(token):
            abort(404)
        folder = _folder("uploads")
        return folder / f"{token}.xlsx", folder / f"{token}.json"

    def _load_upload(self, token: str) -> tuple[bytes, dict]:
        data_path, meta_path = self._upload_paths(token)
        if not meta_path.exists() or not data_path.exists():
            abort(404)
        meta = json.loads(meta_path.read_text())
        if meta.get("owner") != current_user.id:
            abort(404)
        return data_path.read_bytes(), meta

    def _plan(self, data: bytes, meta: dict):
        sheet = import_service.read_sheet(io.BytesIO(data), settings().account_suffix)
        plan = import_service.plan_import(db.session, sheet, current_actor(), meta.get("block_id"))
        return sheet, plan

    # -- pages -----------------------------------------------------------------------------------
    @expose("/")
    @has_access
    def index(self):
        return self.render_template("mau01/index.html", blocks=self._blocks(), is_admin=current_actor().is_admin)

    @expose("/template")
    @has_access
    def template(self):
        unit = current_user.unit if current_actor().manage_level == "unit" else None
        data = template_bytes(unit_name=unit.name if unit else None, unit_type=unit.unit_type if unit else None)
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="Mau01_danh_sach_can_bo.xlsx")

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        file = request.files.get("file")
        if file is None or not file.filename:
            flash("Hãy chọn tệp Mẫu 01 (.xlsx hoặc .xls) để tải lên.", "danger")
            return redirect(url_for(".index"))
        block_id = request.form.get("block_id", type=int) or None
        data = file.read()
        _purge_old(time.time())
        token = secrets.token_urlsafe(16)
        meta = {"owner": current_user.id, "name": file.filename, "block_id": block_id,
                "uploaded_at": clock.now().isoformat()}
        try:
            sheet, plan = self._plan(data, meta)
        except DomainError as exc:
            flash(f"Không đọc được tệp “{file.filename}”: {exc}", "danger")
            return redirect(url_for(".index"))
        data_path, meta_path = self._upload_paths(token)
        data_path.write_bytes(data)
        meta_path.write_text(json.dumps(meta))
        return self._render_preview(token, meta, plan)

    def _render_preview(self, token, meta, plan):
        return self.render_template(
            "mau01/preview.html",
            token=token,
            name=meta["name"],
            plan=plan,
            accounts=plan.accounts[:PREVIEW_LIMIT],
            limit=PREVIEW_LIMIT,
            action_labels=ACTION_LABELS,
            role_labels={code: r.mau01_text for code, r in EVAL_ROLE_BY_CODE.items()},
            errors=plan.errors,
            warnings=plan.warnings,
        )

    @expose("/errors/<token>")
    @has_access
    def errors(self, token):
        data, meta = self._load_upload(token)
        try:
            sheet, plan = self._plan(data, meta)
            # The upload goes through the same guard again before openpyxl may open it whole.
            out = error_sheet_bytes(data, sheet.header_row, plan.issues_by_row(), columns=sheet.columns,
                                    limits=app_limits())
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for(".index"))
        stem = Path(meta["name"]).stem or "Mau01"
        return send_file(io.BytesIO(out), mimetype=XLSX, as_attachment=True, download_name=f"{stem}_can_sua.xlsx")

    @expose("/confirm/<token>", methods=["POST"])
    @has_access
    def confirm(self, token):
        data, meta = self._load_upload(token)
        try:
            sheet, plan = self._plan(data, meta)  # again: the district may have changed since the preview
            if plan.errors:
                flash(f"Bảng có {len(plan.errors)} lỗi; chưa ghi gì vào hệ thống. Hãy sửa và tải lên lại.", "danger")
                return self._render_preview(token, meta, plan)
            with uow.unit_of_work(db.session):
                result = import_service.commit_plan(db.session, plan, current_actor(), current_user._get_current_object(),
                                                    meta["name"])
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for(".index"))
        for path in self._upload_paths(token):
            path.unlink(missing_ok=True)
        cred_token = store_credentials(result.credentials) if result.credentials else None
        flash(
            f"Đã nhập Mẫu 01: tạo mới {plan.count('create')}, cập nhật {plan.count('update')}, "
            f"không đổi {plan.count('unchanged')} tài khoản.",
            "success",
        )
        return self.render_template("mau01/done.html", plan=plan, result=result, cred_token=cred_token)

    @expose("/credentials/<token>")
    @has_access
    def credentials(self, token):
        keys = dict(session.get("mau01_keys", {}))
        key = keys.pop(token, None)
        if key is None or not _valid_token(token):
            abort(404)
        try:
            data = sealed.take(_folder("credentials"), token, key)
        except sealed.SealError as exc:
            session["mau01_keys"] = keys
            flash(str(exc), "danger")
            return redirect(url_for(".index"))
        session["mau01_keys"] = keys
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="Tai_khoan_mat_khau.xlsx")
