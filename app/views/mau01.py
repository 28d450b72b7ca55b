"""Mẫu 01 screens: template, upload with preview, confirm, credential sheet, error sheet.

Uploads are kept under instance/mau01/ for their owner only (another person, even of the same
unit, gets 404). The credential sheet belongs to its owner's sign-in session (services.credential_sheets):
half its key in the database, half in the cookie, both gone at sign-out.
"""
from __future__ import annotations

import io
import json
import secrets
import time
from pathlib import Path

from flask import abort, flash, make_response, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user
from sqlalchemy import select

from app.domain.roles import EVAL_ROLE_BY_CODE
from app.extensions import db
from app.models import OrgUnit
from app.security.scope import current_actor, org_clause
from app.domain.errors import DomainError
from app.security.lifecycle import CREDENTIAL_KEYS, current_session
from app.services import clock, credential_sheets, uow
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
GONE = ("Bản xem trước này không còn nữa (đã hủy, đã nhập, đã được thay bằng tệp tải lên sau, hoặc quá hạn). "
        "Không có gì được ghi vào hệ thống. Hãy tải tệp lên lại nếu cần.")


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


def store_credentials(accounts: list[dict], source: str = "import") -> str:
    """Seal a credential sheet for the signed-in admin, in this session only. Returns its token.

    The row keeps half the key; the other half goes in the cookie, under the sheet's token.
    """
    sheet_bytes = credentials_bytes(accounts, settings().org_name)
    with uow.unit_of_work(db.session):
        token, client_half = credential_sheets.store(db.session, sheet_bytes, current_user._get_current_object(),
                                                     current_session(), source, len(accounts))
    keys = dict(session.get(CREDENTIAL_KEYS, {}))
    keys[token] = client_half
    session[CREDENTIAL_KEYS] = keys
    return token


class Gone(Exception):
    """The upload was discarded, confirmed or superseded."""


def nothing_to_import(plan) -> str:
    """Why a sheet cannot be confirmed although it has no errors ("" when it can)."""
    if not plan.rows:
        return "Bảng không có dòng dữ liệu nào: không có gì để nhập."
    if not (plan.count("create") or plan.count("update") or plan.units_to_create):
        return "Mọi người trong bảng đã có trong hệ thống, không có gì thay đổi: không có gì để nhập."
    return ""


class Mau01View(BaseView):
    route_base = "/mau01"
    class_permission_name = "Mau01"
    default_view = "index"
    method_permission_name = {
        "index": "upload",
        "upload": "upload",
        "discard": "upload",
        "template": "template",
        "errors": "errors",
        "confirm": "confirm",
        "credentials": "credentials",
        "export": "export",
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
            raise Gone()
        meta = json.loads(meta_path.read_text())
        if meta.get("owner") != current_user.id:
            abort(404)
        return data_path.read_bytes(), meta

    def _owner_uploads(self) -> list[str]:
        """Tokens of the signed-in person's uploads that still wait for a decision."""
        tokens = []
        for meta_path in _folder("uploads").glob("*.json"):
            try:
                if json.loads(meta_path.read_text()).get("owner") == current_user.id:
                    tokens.append(meta_path.stem)
            except (OSError, ValueError):
                continue
        return tokens

    def _drop(self, token: str) -> None:
        data_path, meta_path = self._upload_paths(token)
        for path in (meta_path, meta_path.with_suffix(".claimed"), data_path):
            path.unlink(missing_ok=True)

    def _claim(self, token: str) -> tuple[bytes, dict]:
        """Take the upload for one confirmation: a second (or concurrent) Confirm finds it gone.

        The meta file is renamed atomically; ``_release`` gives it back when nothing was written.
        """
        data_path, meta_path = self._upload_paths(token)
        claimed = meta_path.with_suffix(".claimed")
        try:
            meta = json.loads(meta_path.read_text())
        except FileNotFoundError:
            raise Gone() from None
        if meta.get("owner") != current_user.id:
            abort(404)
        try:
            meta_path.rename(claimed)
        except FileNotFoundError:
            raise Gone() from None
        try:
            return data_path.read_bytes(), meta
        except FileNotFoundError:
            claimed.unlink(missing_ok=True)
            raise Gone() from None

    def _release(self, token: str) -> None:
        _data_path, meta_path = self._upload_paths(token)
        try:
            meta_path.with_suffix(".claimed").rename(meta_path)
        except FileNotFoundError:
            pass

    def _plan(self, data: bytes, meta: dict):
        sheet = import_service.read_sheet(io.BytesIO(data), settings().account_suffix)
        plan = import_service.plan_import(db.session, sheet, current_actor(), meta.get("block_id"))
        return sheet, plan

    # -- pages -----------------------------------------------------------------------------------
    @expose("/")
    @has_access
    def index(self):
        return self.render_template("mau01/index.html", blocks=self._blocks(), is_admin=current_actor().is_admin,
                                    export_units=self._units())

    def _units(self):
        """The units whose people the actor manages (the staff list export)."""
        from app.services.org import managed_units

        return managed_units(db.session, current_actor())

    @expose("/export/<int:pk>")
    @has_access
    def export(self, pk):
        """The unit's current people in the Mẫu 01 layout: edit in Excel, upload again."""
        from app.services import staff_list

        try:
            unit = staff_list.unit_in_reach(db.session, current_actor(), pk)
        except DomainError:
            abort(404)
        data = staff_list.export_unit(db.session, current_actor(), unit)
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=staff_list.file_name(unit))

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
        for earlier in self._owner_uploads():  # one preview waits per person: older tabs cannot confirm
            self._drop(earlier)
        data_path, meta_path = self._upload_paths(token)
        data_path.write_bytes(data)
        meta_path.write_text(json.dumps(meta))
        return self._render_preview(token, meta, plan)

    def _render_preview(self, token, meta, plan):
        response = make_response(self.render_template(
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
            refusal=nothing_to_import(plan),
        ))
        # Back and Forward must not show a stale preview whose Confirm still looks live.
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/discard/<token>", methods=["POST"])
    @has_access
    def discard(self, token):
        """Hủy: the preview is thrown away; its Confirm (from Back, another tab) finds it gone."""
        data_path, meta_path = self._upload_paths(token)
        try:
            meta = json.loads(meta_path.read_text())
        except FileNotFoundError:
            flash(GONE, "warning")
            return redirect(url_for(".index"))
        if meta.get("owner") != current_user.id:
            abort(404)
        self._drop(token)
        flash(f"Đã hủy bản xem trước “{meta.get('name', '')}”. Không có gì được ghi vào hệ thống.", "info")
        return redirect(url_for(".index"))

    @expose("/errors/<token>")
    @has_access
    def errors(self, token):
        try:
            data, meta = self._load_upload(token)
        except Gone:
            flash(GONE, "warning")
            return redirect(url_for(".index"))
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
        try:
            data, meta = self._claim(token)
        except Gone:
            flash(GONE, "warning")
            return redirect(url_for(".index"))
        try:
            sheet, plan = self._plan(data, meta)  # again: the district may have changed since the preview
            if plan.errors:
                self._release(token)
                flash(f"Bảng có {len(plan.errors)} lỗi; chưa ghi gì vào hệ thống. Hãy sửa và tải lên lại.", "danger")
                return self._render_preview(token, meta, plan)
            refusal = nothing_to_import(plan)
            if refusal:
                self._drop(token)
                flash(refusal, "warning")
                return redirect(url_for(".index"))
            with uow.unit_of_work(db.session):
                result = import_service.commit_plan(db.session, plan, current_actor(), current_user._get_current_object(),
                                                    meta["name"])
        except DomainError as exc:
            self._release(token)
            flash(str(exc), "danger")
            return redirect(url_for(".index"))
        except BaseException:
            self._release(token)
            raise
        self._drop(token)
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
        if not _valid_token(token):
            abort(404)
        keys = dict(session.get(CREDENTIAL_KEYS, {}))
        try:
            with uow.unit_of_work(db.session):
                data = credential_sheets.take(db.session, token, current_user._get_current_object(), current_session(),
                                              keys.pop(token, None))
        except DomainError as exc:
            if exc.http_status == 404:
                abort(404)
            session[CREDENTIAL_KEYS] = keys
            return self.render_template("mau01/credentials_gone.html", message=exc.message), 410
        session[CREDENTIAL_KEYS] = keys
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="Tai_khoan_mat_khau.xlsx")
