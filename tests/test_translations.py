"""The Vietnamese catalog in app/translations/vi covers Flask-AppBuilder's own strings and the app's labels.

Flask-AppBuilder 5.3.0 ships no catalog template (no messages.pot, no en/ catalog) inside the
installed package, so "FAB's catalog template" is rebuilt here the way ``pybabel extract`` builds
it: every gettext call in the installed package's Python modules and Jinja2 templates, plus every
msgid of the catalogs FAB ships for other languages (strings of older FAB releases that may still
be rendered by overridden templates).
"""
from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_DIR = REPO_ROOT / "app"
TRANSLATIONS_DIR = APP_DIR / "translations"
PO_PATH = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
MO_PATH = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.mo"

FAB_DIR = Path(flask_appbuilder.__file__).resolve().parent

# Names FAB 5.3.0 calls gettext through, besides babel's defaults (_, gettext, ngettext, ...).
FAB_KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "__": None,  # flask_appbuilder/menu.py: ``from flask_babel import gettext as __``
    "lazy_formatter_gettext": (1,),  # flask_appbuilder/utils/base.py
}

# msgids in FAB's own fr/ and el/ catalogs that are translations pasted in as msgids (FAB bugs):
# no FAB code asks for them, so the Vietnamese catalog does not carry them.
NON_ENGLISH_FAB_MSGIDS = {
    "Εγγραφή Χρήστη",
    "Ce n'est pas une bonne politique pour supprimer un utilisateur, il suffit de le rendre inactif",
    "Le rôle de l'utilisateur sur l'application, cela s'associera à une liste d'autorisations",
    "List des demandes d'inscription",
    "Veuillez réécrire le mot de passe de l'utilisateur pour confirmer",
}

# The app's own strings (wrapped with lazy_gettext in the app) and their required translation.
APP_MSGIDS = {
    "Organisation": "Tổ chức",
    "Blocks": "Khối",
    "Units": "Đơn vị",
    "Departments": "Phòng, ban",
    "Staff": "Cán bộ, công chức",
    "Accounts": "Tài khoản",
    "Audit log": "Nhật ký",
    "Import Mẫu 01": "Nhập Mẫu 01",
    "Security": "Bảo mật",
    "Change password": "Đổi mật khẩu",
}

# Strings people see on every screen: the wording is fixed, a change here must be deliberate.
KEY_STRINGS = {
    "Login": "Đăng nhập",
    "Sign In": "Đăng nhập",
    "Logout": "Đăng xuất",
    "User Name": "Tên đăng nhập",
    "Username": "Tên đăng nhập",
    "Password": "Mật khẩu",
    "Search": "Tìm kiếm",
    "Save": "Lưu",
    "Add": "Thêm mới",
    "Edit": "Sửa",
    "Delete": "Xóa",
    "Detail": "Chi tiết",
    "Actions": "Hành động",
    "Back": "Quay lại",
    "Access is Denied": "Không có quyền truy cập",
    "No records found": "Không tìm thấy bản ghi nào",
    "Are you sure you want to delete this item?": "Bạn có chắc chắn muốn xóa bản ghi này không?",
    "List Users": "Danh sách người dùng",
    "List Roles": "Danh sách vai trò",
    "Invalid login. Please try again.": "Đăng nhập không thành công. Vui lòng thử lại.",
    **APP_MSGIDS,
}

PLACEHOLDER_RE = re.compile(r"%\([^)]*\)[#0 +-]*\d*(?:\.\d+)?[sdifeEgGxXor]|%[sdifr]|\{[^{}]*\}")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER_RE.findall(text))


def _fab_template_msgids() -> set[str]:
    msgids: set[str] = set()
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(FAB_DIR), method_map=method_map, keywords=FAB_KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                msgids.add(msgid)
    for mo_file in sorted((FAB_DIR / "translations").glob("*/LC_MESSAGES/messages.mo")):
        with mo_file.open("rb") as fp:
            msgids.update(m.id for m in read_mo(fp) if m.id and isinstance(m.id, str))
    return msgids - NON_ENGLISH_FAB_MSGIDS


@pytest.fixture(scope="module")
def vi() -> Translations:
    translations = Translations.load(str(TRANSLATIONS_DIR), ["vi"])
    # Translations.load silently returns a NullTranslations when the .mo is missing.
    assert isinstance(translations, gettext.GNUTranslations), f"no compiled catalog at {MO_PATH}"
    return translations


@pytest.fixture(scope="module")
def po_catalog():
    with PO_PATH.open("rb") as fp:
        return read_po(fp)


@pytest.fixture(scope="module")
def fab_msgids() -> set[str]:
    msgids = _fab_template_msgids()
    # Sanity: the extraction really found FAB's strings (guards against a silently empty set).
    assert {"Login", "Logout", "List Users", "Access is Denied", "Are you sure you want to delete this item?"} <= msgids
    return msgids


def _msgstr(translations: Translations, msgid: str) -> str:
    catalog = translations._catalog  # gettext's parsed .mo: {msgid: msgstr, (msgid, n): msgstr}
    return catalog.get(msgid) or catalog.get((msgid, 0)) or ""


def test_catalog_header_is_vietnamese(po_catalog):
    assert str(po_catalog.locale) == "vi"
    assert po_catalog.charset.lower() == "utf-8"
    assert po_catalog.num_plurals == 1
    assert po_catalog.plural_expr == "0"
    assert not po_catalog.fuzzy
    assert [m.id for m in po_catalog if m.id and m.fuzzy] == []
    assert [m.id for m in po_catalog if m.id and not m.string] == []


def test_every_fab_msgid_has_a_vietnamese_translation(vi, fab_msgids):
    missing = sorted(msgid for msgid in fab_msgids if not _msgstr(vi, msgid).strip())
    assert missing == [], f"{len(missing)} FAB msgid(s) without Vietnamese msgstr: {missing}"


def test_placeholders_in_msgstr_match_msgid(vi, po_catalog, fab_msgids):
    msgids = set(fab_msgids) | set(APP_MSGIDS) | {m.id if isinstance(m.id, str) else m.id[0] for m in po_catalog if m.id}
    wrong = []
    for msgid in sorted(msgids):
        if _placeholders(_msgstr(vi, msgid)) != _placeholders(msgid):
            wrong.append((msgid, _msgstr(vi, msgid)))
    for message in po_catalog:  # plural forms, if any: each form keeps the plural msgid's placeholders
        if message.pluralizable:
            for form in message.string:
                if _placeholders(form) != _placeholders(message.id[1]):
                    wrong.append((message.id, form))
    assert wrong == []
    assert list(po_catalog.check()) == []  # babel's python-format checks


@pytest.mark.parametrize(("msgid", "expected"), sorted(KEY_STRINGS.items()))
def test_key_strings(vi, msgid, expected):
    assert vi.gettext(msgid) == expected


def test_role_sync_variants_of_user_role_descriptions(vi):
    """With AUTH_ROLES_SYNC_AT_LOGIN FAB asks gettext for the description plus a warning suffix."""
    from flask import Flask
    from flask_appbuilder.security.views import _roles_custom_formatter

    app = Flask(__name__)
    app.config["AUTH_ROLES_SYNC_AT_LOGIN"] = True
    with app.app_context():
        for base in (
            "The user role on the application, this will associate with a list of permissions",
            "The user group on the application,"
            " this will associate with a list of roles associated with the group",
        ):
            translated = vi.gettext(_roles_custom_formatter(base))
            assert translated.startswith(vi.gettext(base))
            assert "AUTH_ROLES_SYNC_AT_LOGIN đang bật" in translated


def test_mo_is_compiled_from_current_po(vi):
    with PO_PATH.open("rb") as fp:
        catalog = read_po(fp)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # what `pybabel compile` writes (fuzzy entries left out)
    buffer.seek(0)
    fresh = Translations(fp=buffer)
    assert fresh._catalog == vi._catalog, (
        "messages.mo is stale: run `.venv/bin/pybabel compile -d app/translations -l vi`"
    )


def test_flask_babel_finds_catalog_with_fab_default_directories():
    """FAB's BabelManager appends ``translations`` (relative to app.root_path) after its own folder."""
    from flask import Flask
    from flask_appbuilder.babel.manager import BabelManager
    from flask_babel import gettext as babel_gettext

    app = Flask("app", root_path=str(APP_DIR))
    app.secret_key = "test"
    app.config["BABEL_DEFAULT_LOCALE"] = "vi"
    app.config["LANGUAGES"] = {"vi": {"flag": "vn", "name": "Tiếng Việt"}}
    with app.app_context():
        BabelManager(appbuilder=None)
    with app.test_request_context("/"):
        assert babel_gettext("Login") == "Đăng nhập"
        assert babel_gettext("Organisation") == "Tổ chức"
