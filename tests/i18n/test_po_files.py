"""The gettext catalogues themselves: they parse with Babel, nothing is fuzzy or empty, both languages name the same
keys, the code's keys and the catalogues agree, and a language a hospital drops in is picked up."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.i18n import catalogue
from tests.i18n.test_catalogue import needed_keys

LANGUAGES = ("vi", "en")


def parsed(language: str) -> Catalog:
    with catalogue.catalogue_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=catalogue.DOMAIN)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_parses_and_has_no_fuzzy_or_empty_entry(language: str) -> None:
    catalog = parsed(language)
    assert str(catalog.locale) == language
    assert not catalog.fuzzy  # the header is finished too
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    assert [m.id for m in messages if m.fuzzy] == []
    assert [m.id for m in messages if not m.string or not str(m.string).strip()] == []
    assert [m.id for m in messages if not unicodedata.is_normalized("NFC", str(m.string))] == []


def test_both_catalogues_name_the_same_keys() -> None:
    vi, en = ({str(m.id) for m in parsed(lang) if m.id} for lang in LANGUAGES)
    assert sorted(vi ^ en) == []


def test_the_code_and_the_catalogues_agree() -> None:
    # An extraction in the pybabel sense: the keys the code names (tests/i18n/test_catalogue.needed_keys) against
    # the msgids. Missing ones would show a fallback sentence; the catalogue may hold more (keys built at run time).
    in_po = {str(m.id) for m in parsed("vi") if m.id}
    assert sorted(needed_keys() - in_po) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_compiles_to_mo_for_gnu_gettext(language: str, tmp_path: Path) -> None:
    import gettext

    mo = tmp_path / "kiosk.mo"
    with mo.open("wb") as file:
        write_mo(file, parsed(language))
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    assert compiled.gettext("home.check_in") == catalogue.translate("home.check_in", language)


def test_the_live_switch_reads_each_language_from_its_catalogue() -> None:
    assert catalogue.translate("home.check_in", "vi") == "Đăng ký khám bệnh"
    assert catalogue.translate("home.check_in", "en") == "Register for a visit"
    assert catalogue.translate("idle.body", "vi", seconds=25).endswith("25 giây.")


def test_a_language_the_hospital_adds_is_loaded_and_falls_back_to_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(catalogue.LOCALE_DIR, locale)
    (locale / "fr" / "LC_MESSAGES").mkdir(parents=True)
    po = (locale / "en" / "LC_MESSAGES" / "kiosk.po").read_text(encoding="utf-8")
    po = po.replace("Language: en", "Language: fr").replace('msgstr "Register for a visit"', 'msgstr "S\'inscrire"')
    po = po.replace('msgid "home.welcome"\nmsgstr "Welcome!"', '#, fuzzy\nmsgid "home.welcome"\nmsgstr "Bienvenue"')
    (locale / "fr" / "LC_MESSAGES" / "kiosk.po").write_text(po, encoding="utf-8")
    monkeypatch.setattr(catalogue, "LOCALE_DIR", locale)

    assert catalogue.installed_languages() == ("vi", "en", "fr")
    french = catalogue.read_catalogue("fr")
    assert french["home.check_in"] == "S'inscrire"
    assert "home.welcome" not in french  # a fuzzy entry is not shown to a patient
    monkeypatch.setitem(catalogue.TEXTS, "fr", french)
    assert catalogue.translate("home.welcome", "fr") == "Xin chào!"
    assert catalogue.translate("home.check_in", "fr") == "S'inscrire"
