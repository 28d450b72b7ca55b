"""The Vietnamese WTForms catalog in app/translations/vi (domain "wtforms").

WTForms ships no Vietnamese catalog, so the app keeps its own; Flask-WTF loads it with
``babel.support.Translations.load(messages_path(), [locale], domain="wtforms")`` once
``flask_wtf.i18n.messages_path`` points at app/translations. These tests load it the same way,
without an app, and check it against the catalog template WTForms itself ships (wtforms.pot).
"""
from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "app" / "translations"
LC_MESSAGES = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "wtforms.po"
MO_PATH = LC_MESSAGES / "wtforms.mo"
POT_PATH = Path(wtforms.__file__).resolve().parent / "locale" / "wtforms.pot"

# printf-style placeholders: %(name)s, %(min)d, %s, %d, %% ...
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _template_messages():
    with POT_PATH.open("rb") as f:
        catalog = read_po(f)
    return [message for message in catalog if message.id]


TEMPLATE = _template_messages()


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


@pytest.fixture(scope="module")
def translations() -> Translations:
    loaded = Translations.load(str(TRANSLATIONS_DIR), ["vi"], domain="wtforms")
    # Translations.load falls back to NullTranslations when no catalog is found.
    assert isinstance(loaded, Translations), f"no wtforms catalog for vi under {TRANSLATIONS_DIR}"
    return loaded


@pytest.fixture(scope="module")
def po_catalog():
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="vi", domain="wtforms")


def test_template_is_not_empty():
    assert POT_PATH.is_file(), POT_PATH
    assert len(TEMPLATE) > 30


def test_po_header(po_catalog):
    assert str(po_catalog.locale) == "vi"
    assert po_catalog.num_plurals == 1
    assert po_catalog.plural_expr == "0"
    assert po_catalog.charset.lower() == "utf-8"
    assert not po_catalog.fuzzy


def test_po_covers_template_without_fuzzy_or_errors(po_catalog):
    template_ids = {message.id for message in TEMPLATE}
    po_ids = {message.id for message in po_catalog if message.id}
    assert template_ids - po_ids == set(), "msgids missing from wtforms.po"
    for message in po_catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        assert list(message.check(po_catalog)) == [], message.id
        if message.pluralizable:
            assert isinstance(message.string, (list, tuple)) and len(message.string) == 1, message.id


@pytest.mark.parametrize("message", TEMPLATE, ids=_msgid)
def test_every_template_msgid_is_translated(translations, message):
    if message.pluralizable:
        singular, plural = message.id
        expected = _placeholders(singular)
        assert _placeholders(plural) == expected
        for n in (0, 1, 2, 5):
            text = translations.ungettext(singular, plural, n)
            assert text and text.strip(), (singular, n)
            assert text not in (singular, plural), (singular, n)
            assert _placeholders(text) == expected, (singular, text)
    else:
        text = translations.ugettext(message.id)
        assert text and text.strip(), message.id
        assert text != message.id, message.id
        assert _placeholders(text) == _placeholders(message.id), (message.id, text)


@pytest.mark.parametrize("message", [m for m in TEMPLATE if "python-format" in m.flags], ids=_msgid)
def test_python_format_translations_format_like_the_original(translations, message):
    singular = _msgid(message)
    names = re.findall(r"%\((\w+)\)", singular)
    if names:
        values = {name: 3 for name in names}
    else:
        values = ("x",)
    if message.pluralizable:
        text = translations.ungettext(singular, message.id[1], 3)
    else:
        text = translations.ugettext(singular)
    text % values  # raises if a placeholder was broken


def test_mo_matches_compiled_po(po_catalog):
    assert MO_PATH.is_file(), "wtforms.mo is missing; run pybabel compile -D wtforms"
    buffer = io.BytesIO()
    write_mo(buffer, po_catalog)
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    with MO_PATH.open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == compiled._catalog, "wtforms.mo is stale; recompile wtforms.po"
    assert shipped.plural(1) == compiled.plural(1) == 0
    assert shipped.plural(5) == compiled.plural(5) == 0


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("This field is required.", "Trường này là bắt buộc."),
        ("Not a valid choice.", "Lựa chọn không hợp lệ."),
        ("Invalid email address.", "Địa chỉ email không hợp lệ."),
    ],
)
def test_known_translations(translations, msgid, expected):
    assert translations.ugettext(msgid) == expected
