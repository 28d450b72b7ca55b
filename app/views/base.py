"""View bases: scope re-checked where FAB skips base filters, service errors flashed."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, g, jsonify, request, url_for
from flask import session as http_session
from flask_appbuilder.exceptions import DatabaseException
from sqlalchemy.exc import SQLAlchemyError
from flask_appbuilder import ModelRestApi, ModelView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user

from app.domain.errors import DomainError
from app.security.scope import current_actor
from app.services import audit, uow


DELETE_FAILED = "Không xóa được: bản ghi này còn được dùng ở nơi khác."
SAVE_FAILED = "Không lưu được: dữ liệu trùng với một bản ghi khác hoặc không hợp lệ. Hãy kiểm tra rồi lưu lại."


class ScopedModelView(ModelView):
    """A ModelView whose actions only reach rows its base filters allow.

    FAB's ``action``/``action_post`` load rows with ``datamodel.get(pk)`` without the view's base
    filters; these overrides refuse (404) any pk outside the view's scope before FAB runs.
    """

    page_size = 50
    # Relation fields of the add form that start on their only choice when there is just one
    # (a unit admin adding a person: their unit).
    preselect_single_choice: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.formatters_columns = self.value_formatters()

    def value_formatters(self) -> dict:
        """Every shown column gets a formatter: the view's own, else ``shown``.

        A view's ``or_blank`` (None as a blank) is upgraded to ``shown``, which also formats dates
        and lists; booleans keep their tick or Có/Không.
        """
        declared = dict(self.formatters_columns or {})
        columns = list(dict.fromkeys(list(self.list_columns or []) + list(self.show_columns or [])))
        out = {}
        for column in columns:
            own = declared.get(column)
            out[column] = shown if own is None or own is or_blank else own
        return {**declared, **out}

    # -- forms ---------------------------------------------------------------------------------------
    def hidden_columns(self) -> list[str]:
        """Form fields the signed-in person cannot use: not shown, not read from the form, left as they are."""
        return []

    def _hide(self, form) -> list[str]:
        """The hidden fields (FAB's form template skips ``exclude_cols``)."""
        return [name for name in self.hidden_columns() if name in form]

    @staticmethod
    def _keep_hidden(form, hidden, item) -> None:
        """What a hidden field saves is what the record already holds, whatever the request sent."""
        for name in hidden:
            form[name].data = getattr(item, name, None)

    def prefill_add_form(self, form) -> None:
        for name in self.preselect_single_choice:
            field = form[name] if name in form else None
            if field is None or field.data is not None or not hasattr(field, "_get_object_list"):
                continue
            choices = field._get_object_list()
            if len(choices) == 1:
                field.data = choices[0][1]

    def refuse_form(self, form, exc: DomainError) -> None:
        """Show a refusal by the field it concerns (or at the top), keeping what was typed."""
        field = form[exc.field] if exc.field and exc.field in form else None
        if field is not None and field.type != "HiddenField":
            field.errors = [*field.errors, exc.message]
        else:
            flash(exc.message, "danger")

    def _add(self):
        """FAB's add, except that a refused save shows the form again with what was typed.

        FAB redirects (the typed values are lost) and flashes raw database errors. Filters in the
        URL do not prefill the form here: this app has no related views, and a prefilled relation
        would skip its select's choices.
        """
        is_valid_form = True
        form = self.add_form.refresh()
        exclude_cols = self._hide(form)
        if request.method == "POST":
            self._keep_hidden(form, exclude_cols, None)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                self._keep_hidden(form, exclude_cols, item)
                try:
                    form.populate_obj(item)
                    self.pre_add(item)
                    self.datamodel.add(item)
                except DomainError as exc:
                    self.refuse_form(form, exc)
                    return self._get_add_widget(form=form, exclude_cols=exclude_cols)
                except SQLAlchemyError:
                    self.session.rollback()
                    flash(SAVE_FAILED, "danger")
                    return self._get_add_widget(form=form, exclude_cols=exclude_cols)
                self.post_add(item)
                flash(self.add_row_message, "success")
                return None
            is_valid_form = False
        else:
            self.prefill_add_form(form)
        if is_valid_form:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        """FAB's edit, with the same changes as ``_add``; hidden fields keep their stored values."""
        is_valid_form = True
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            exclude_cols = self._hide(form)
            form._id = pk
            self._keep_hidden(form, exclude_cols, None)  # what the request sent is not validated
            if form.validate():
                self.process_form(form, False)
                self._keep_hidden(form, exclude_cols, item)
                try:
                    form.populate_obj(item)
                    self.pre_update(item)
                    self.datamodel.edit(item)
                except DomainError as exc:
                    self.refuse_form(form, exc)
                    return self._edit_widgets(form, exclude_cols, item)
                except (SQLAlchemyError, DatabaseException):
                    self.session.rollback()
                    flash(SAVE_FAILED, "danger")
                    return self._edit_widgets(form, exclude_cols, item)
                self.post_update(item)
                flash(self.edit_row_message, "success")
                return None
            is_valid_form = False
        else:
            form = self.edit_form.refresh(obj=item)
            exclude_cols = self._hide(form)
            self.prefill_form(form, pk)
        widgets = self._edit_widgets(form, exclude_cols, item)
        if is_valid_form:
            self.update_redirect()
        return widgets

    def _edit_widgets(self, form, exclude_cols, item):
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(item, filters={}, orders={}, pages={}, page_sizes={}, widgets=widgets)

    # -- where to go after an action or a delete ----------------------------------------------------
    def _delete(self, pk):
        """FAB's delete: a refusal is flashed in Vietnamese (never a raw database error)."""
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
        except DomainError as exc:
            flash(exc.message, "danger")
            return
        try:
            self.datamodel.delete(item)
        except (SQLAlchemyError, DatabaseException):
            self.session.rollback()
            flash(DELETE_FAILED, "danger")
            return
        self.post_delete(item)
        flash(self.delete_row_message, "success")
        g._deleted_pk = str(pk)

    def list_url(self) -> str:
        return url_for(f"{type(self).__name__}.list")

    def get_redirect(self):
        """Back to the list or record the person was on.

        FAB pops its page history twice, assuming the current request pushed itself; a delete or an
        action does not, so FAB skipped the page they were on and often landed on the home page.
        A deleted record's own pages are skipped; with no history, the view's list.
        """
        method = (request.endpoint or "").rpartition(".")[2]
        if method not in ("delete", "action", "action_post"):
            url = super().get_redirect()
            return self.list_url() if url == self.appbuilder.get_url_for_index else url
        deleted = getattr(g, "_deleted_pk", None)
        gone = {f"{self.route_base}/{page}/{deleted}" for page in ("show", "edit")} if deleted else set()
        for url in reversed(http_session.get("page_history", [])):
            path = urlsplit(url).path
            if path != request.path and path.rstrip("/") not in gone:
                return url
        return self.list_url()

    def _in_scope(self, pk) -> bool:
        return self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters) is not None

    def _refuse(self, detail: dict):
        """Log an attempt on rows outside the person's scope, then answer 404 (never say they exist)."""
        with uow.unit_of_work(self.session):
            audit.record(self.session, "access_denied", actor=self.actor_user(),
                         target=f"{type(self).__name__}.{request.endpoint.rsplit('.', 1)[-1]}", detail=detail)
        abort(404)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions:
            abort(404)
        if not self._in_scope(pk):
            self._refuse({"hanh_dong": name, "ma": pk})
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        pks = request.form.getlist("rowid")
        name = request.form.get("action")
        if name not in self.actions or not pks:
            abort(404)
        outside = [pk for pk in pks if not self._in_scope(pk)]
        if outside:
            self._refuse({"hanh_dong": name, "ma": outside})
        return super().action_post()

    @property
    def session(self):
        return self.datamodel.session

    @staticmethod
    def actor():
        return current_actor()

    @staticmethod
    def actor_user():
        return current_user._get_current_object() if current_user.is_authenticated else None

    def fail(self, exc: DomainError):
        """Undo what the form staged (keeping a refusal's audit rows); FAB flashes the message."""
        uow.abort(self.session, exc)
        raise exc

    def guard(self, fn, *args, **kwargs):
        """Run a service hook for FAB's add/edit/delete; a DomainError undoes the staged edit and is flashed.

        FAB's datamodel commits the form's unit of work after the hook.
        """
        try:
            return fn(self.session, *args, **kwargs)
        except DomainError as exc:
            self.fail(exc)


class ScopedReadApi(ModelRestApi):
    """Read-only REST over the same base filters as the screens; errors as Vietnamese ``{code, message}``."""

    include_route_methods = {"get", "get_list"}
    allow_browser_login = True
    max_page_size = 500

    def _handle_filters_args(self, rison_args):
        """Filters by this API's own filter list for the column (FAB looks operators up in one global
        table shared by every view, so the class found there may belong to another column)."""
        from flask_appbuilder.exceptions import InvalidColumnFilterFABException, InvalidOperationFilterFABException

        self._filters.clear_filters()
        search = self._filters.get_search_filters()
        for item in rison_args.get("filters", []):
            col, opr = item.get("col"), item.get("opr")
            if col not in search:
                raise InvalidColumnFilterFABException(f"Filter column: {col} not allowed to filter")
            match = next((f for f in search[col] if f.arg_name == opr), None)
            if match is None:
                raise InvalidOperationFilterFABException(f"Filter operation: {opr} not allowed on column: {col}")
            self._filters.add_filter(col, type(match), item.get("value"))
        return self._filters.get_joined_filters(self._base_filters)

    def _error(self, status: int, message=None):
        from app.views.errors import text_for

        text = text_for(status)
        # FAB's own messages are English ("Not a valid rison argument", "Fatal error"): keep ours.
        response = jsonify({"code": text.code, "message": text.message if message is None else message})
        response.status_code = status
        return response

    def response_400(self, message=None):
        return self._error(400, None if message is None or message.isascii() else message)

    def response_401(self):
        return self._error(401)

    def response_403(self):
        return self._error(403)

    def response_404(self):
        return self._error(404)

    def response_422(self, message=None):
        return self._error(422, None if message is None or message.isascii() else message)

    def response_500(self, message=None):
        from app.extensions import db

        db.session.rollback()
        return self._error(500)


def install_action_guard(app, appbuilder) -> None:
    """Answer 404 to an unknown action name on any view (FAB's own views crash with a 500 on one)."""
    views = {type(v).__name__: v for v in appbuilder.baseviews}

    @app.before_request
    def _unknown_action_is_404():
        endpoint = request.endpoint or ""
        view_name, _, method = endpoint.partition(".")
        if method not in ("action", "action_post"):
            return None
        view = views.get(view_name)
        name = (request.view_args or {}).get("name") if method == "action" else request.form.get("action")
        if view is None or name not in getattr(view, "actions", {}):
            abort(404)
        return None


def shown(value) -> str:
    """Any value as people read it: no True/False/None, dates dd/mm/yyyy HH:MM, lists joined.

    Roles read by their Vietnamese label; other objects by their ``__repr__`` (the models' display names).
    """
    import datetime as dt

    from app.domain.dates import fmt_date, fmt_datetime
    from app.domain.roles import role_label

    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return fmt_datetime(value)
    if isinstance(value, dt.date):
        return fmt_date(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(shown(v) for v in value)
    if type(value).__name__ == "Role":
        return role_label(value.name)
    return str(value)


def yes_mark(value) -> str:
    """Booleans as people read them in a list: a tick or nothing."""
    return "✓" if value else ""


def yes_no(value) -> str:
    return "Có" if value else "Không"


def or_blank(value) -> str:
    """None as an empty cell, not the word "None"."""
    return "" if value is None else str(value)
