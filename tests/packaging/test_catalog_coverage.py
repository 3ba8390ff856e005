"""
Every text a person reads is in the English catalog and translated in every shipped language.

Python and template strings reach the catalog when marked (``_``/``N_``, ``{% trans %}``); these
tests find the texts that would slip past extraction: field defaults, literal text in templates,
sentences written into scripts (scripts show only the translated messages their block hands them).
"""
import glob
import os
import re

import pytest
from xblock.fields import Scope, ScopeBase, UserScope

from personalized_path.core.texts import is_language, texts_in
from scripts import translations
from tests.builders import block_classes, catalog, msgids, po_msgids

ROOT = translations.ROOT
LANGUAGES = ("en",) + translations.LANGUAGES


def authored_fields(block_class):
    """Settings and content fields (what authors write, with defaults people read)."""
    return [field for field in block_class.fields.values()
            if isinstance(field.scope, ScopeBase) and field.scope.user == UserScope.NONE
            and field.scope in (Scope.content, Scope.settings)]


def field_default_texts():
    """(block, field, text) for every text in every field default: strings that are not a choice's code."""
    found = []
    for tag, block_class in sorted(block_classes().items()):
        for field in authored_fields(block_class):
            default = field.default
            if isinstance(default, str):
                texts = [default] if is_language(default) and not isinstance(field.values, list) else []
            else:
                texts = texts_in(default) if isinstance(default, (list, dict)) else []
            found.extend((tag, field, text) for text in texts)
    return found


def test_blocks_and_their_default_texts_are_found():
    texts = field_default_texts()
    assert len(block_classes()) == 6
    # The self-assessment's scale, the board's tiles, the check's questions, the gate's lock message...
    assert {"Not yet", "Read the chapter", "Which of these is a prime number?", "What got in the way?",
            "Sport and games"} <= {text for _tag, _field, text in texts}
    assert len(texts) >= 45


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_field_default_is_in_the_catalog_and_shown_translated(lang):
    """Each default text is in the catalog, and its field translates it when shown (not only stored)."""
    known = msgids(lang)
    translated = catalog(lang)
    missing = [f"{tag}.{field.name}: {text!r}" for tag, field, text in field_default_texts()
               if text not in known or (lang != "en" and not translated.get(text))]
    assert not missing, f"{lang}: default texts missing from the catalog:\n" + "\n".join(missing)
    untranslated_fields = sorted({f"{tag}.{field.name}" for tag, field, _text in field_default_texts()
                                  if not getattr(field, "translated_default", False)})
    assert not untranslated_fields, f"fields whose default is shown untranslated: {untranslated_fields}"


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_every_english_message_is_translated(lang):
    translated = catalog(lang)
    english = msgids("en")
    missing = sorted(message for message in english
                     if not (translated.get(message) or translated.get((message, 0))))
    assert not missing, f"{lang}: messages without a translation: {missing[:20]}"


def template_literal_texts(source):
    """Text and readable attributes a template writes without {% trans %}: what would show in English."""
    source = re.sub(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", "", source, flags=re.S)
    source = re.sub(r"<(style|script)\b.*?</\1>", "", source, flags=re.S)
    for pattern in (r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<!--.*?-->"):
        source = re.sub(pattern, "", source, flags=re.S)
    found = [value for _name, value in re.findall(r'\b(aria-label|title|placeholder|alt)="([^"]*)"', source)
             if is_language(value)]
    text = re.sub(r"<[^>]*>", "\n", source)
    return found + [line.strip() for line in text.split("\n") if is_language(line)]


def test_templates_write_no_text_outside_trans():
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "templates", "*.html"))):
        with open(path, encoding="utf-8") as handle:
            texts = template_literal_texts(handle.read())
        if texts:
            found[os.path.basename(path)] = texts
    assert not found, f"untranslated text in templates: {found}"


def test_the_template_check_finds_literal_text():
    assert template_literal_texts('<p>Hello there</p><button aria-label="Close">{% trans "Go" %}</button>') == \
        ["Close", "Hello there"]
    assert template_literal_texts('<p>{% trans "Hi" %} {{ name }}</p><style>a { color: red }</style>') == []


def script_sentences(source):
    """String literals of a script that read as words (not selectors, codes or header names)."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"(?m)(^|\s)//.*$", "", source)
    literals = [double or single for double, single in
                re.findall(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', source)]
    # A sentence starts with a capitalised word followed by a space or punctuation ("Saved.", "Try again");
    # selectors, codes and header names ("input, textarea", "Content-Type", "POST") do not.
    return [text for text in literals if re.match(r"[A-Z][a-z]+([ ,.:;!?]|$)", text)]


def test_scripts_show_only_messages_their_block_translates():
    """No sentence is written into a script; each ``messages.<name>`` a script shows is N_-marked in Python."""
    python = "\n".join(open(path, encoding="utf-8").read() for path in  # pylint: disable=consider-using-with
                       glob.glob(os.path.join(ROOT, "personalized_path", "*.py")))
    provided = set(re.findall(r"\b(\w+)=N_\(", python)) | set(re.findall(r'"(\w+)": (?:N_|self\._)\(', python))
    sentences, unknown = {}, {}
    for path in sorted(glob.glob(os.path.join(ROOT, "static", "js", "*.js"))):
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        name = os.path.basename(path)
        sentences[name] = script_sentences(source)
        unknown[name] = sorted(set(re.findall(r"\bmessages\.(\w+)", source)) - provided)
    assert not any(sentences.values()), f"sentences written into scripts: {sentences}"
    assert not any(unknown.values()), f"messages no block translates: {unknown}"


def test_the_script_check_finds_sentences():
    assert script_sentences('box.textContent = "Saved."; x.querySelector(".pp-a li"); // "Not this one"') == \
        ["Saved."]
    assert script_sentences("el.textContent = 'Try again later';") == ["Try again later"]


def test_the_catalog_reader_keys_messages_as_compiled_catalogs_do(tmp_path):
    path = tmp_path / "text.po"
    path.write_text('msgid ""\nmsgstr ""\n\nmsgctxt "verb"\nmsgid "Open"\nmsgstr ""\n\nmsgid "A "\n"b"\n'
                    'msgid_plural "As"\nmsgstr[0] ""\n\nmsgid "Open"\nmsgstr ""\n', encoding="utf-8")
    assert po_msgids(str(path)) == {"verb\x04Open", "A b", "Open"}
