"""The gettext catalog is complete and current, and a language can be chosen."""
import os
import subprocess

import pytest

from scripts import translations

ROOT = translations.ROOT


def _body(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_catalog_is_up_to_date_with_the_sources(tmp_path):
    fresh = tmp_path / "text.po"
    translations.extract(str(fresh))
    committed = translations.CATALOG.format(lang="en", ext="po")
    assert _body(committed) == _body(fresh), "translations/ is out of date: run `make translations` and commit"


def test_every_language_compiles_and_its_mo_is_current(tmp_path):
    for lang in translations.languages():
        po_file = translations.CATALOG.format(lang=lang, ext="po")
        compiled = tmp_path / f"{lang}.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), po_file], check=True)
        with open(translations.CATALOG.format(lang=lang, ext="mo"), "rb") as handle:
            assert handle.read() == compiled.read_bytes(), f"{lang}: text.mo is stale; run `make translations`"


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_catalog_is_complete(lang):
    assert lang in translations.LANGUAGES and lang in translations.languages()
    result = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull,
                             translations.CATALOG.format(lang=lang, ext="po")],
                            capture_output=True, text=True, check=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_arabic_has_its_six_plural_forms():
    with open(translations.CATALOG.format(lang="ar", ext="po"), encoding="utf-8") as handle:
        assert "nplurals=6;" in handle.read()
