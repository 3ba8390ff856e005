"""
Extract, merge and compile the package's gettext catalog (``make translations``).

Sources: every Python file of the package (``_``, ``N_``, ``gettext``, ``ngettext``...) and every
Django template, the blocks' and the edx-ace messages' (turned into Python-like text by Django's own
``templatize``, as makemessages does).
The catalog is ``translations/<lang>/LC_MESSAGES/text.po`` with ``.mo`` beside it: the path and
domain the LMS's XBlock i18n service reads.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOG = os.path.join(ROOT, "translations", "{lang}", "LC_MESSAGES", "text.{ext}")
# Languages with a catalog; a new one gets its .po from msginit on the next run, with its plural rule.
LANGUAGES = ("es", "ar")
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}
KEYWORDS = ["_", "N_", "NP_:1,2", "gettext", "gettext_noop", "ngettext:1,2", "pgettext:1c,2", "npgettext:1c,2,3"]


def sources():
    python = sorted(glob.glob(os.path.join(ROOT, "personalized_path", "**", "*.py"), recursive=True))
    templates = sorted(glob.glob(os.path.join(ROOT, "templates", "**", "*.html"), recursive=True))
    # The edx-ace messages' templates (subjects and plain text bodies are .txt).
    messages = os.path.join(ROOT, "personalized_path", "openedx", "templates")
    templates += sorted(path for pattern in ("*.html", "*.txt")
                        for path in glob.glob(os.path.join(messages, "**", pattern), recursive=True))
    return python, templates


def extract(output):
    """Write a fresh template catalog (POT) of every translatable string to ``output``."""
    from django.utils.translation.template import templatize  # pylint: disable=import-outside-toplevel
    python, templates = sources()
    with tempfile.TemporaryDirectory() as scratch:
        files = [os.path.relpath(path, ROOT) for path in python]
        for path in templates:
            relative = os.path.relpath(path, ROOT)
            with open(path, encoding="utf-8") as handle:
                converted = templatize(handle.read(), origin=relative)
            target = os.path.join(scratch, relative + ".py")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(converted)
            files.append(target)
        command = ["xgettext", "--language=Python", "--from-code=UTF-8", "--add-location=file", "--sort-output",
                   "--add-comments=Translators", "--package-name=personalized-path", "--output", output,
                   *[f"--keyword={keyword}" for keyword in KEYWORDS], *files]
        subprocess.run(command, cwd=ROOT, check=True)
        with open(output, encoding="utf-8") as handle:
            text = handle.read().replace(scratch + os.sep, "")
        text = text.replace(".html.py", ".html").replace(".txt.py", ".txt").replace("charset=CHARSET", "charset=UTF-8")
        text = "\n".join(line for line in text.split("\n") if not line.startswith('"POT-Creation-Date'))
        # The source catalog is English: a complete header, so msgfmt uses its plural rule.
        text = text.replace("#, fuzzy\nmsgid", "msgid", 1).replace('"Language: \\n"', '"Language: en\\n"')
        text = text.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);")
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)


def languages():
    folder = os.path.join(ROOT, "translations")
    return sorted(name for name in os.listdir(folder) if os.path.isdir(os.path.join(folder, name)))


def main():
    source = CATALOG.format(lang="en", ext="po")
    os.makedirs(os.path.dirname(source), exist_ok=True)
    extract(source)
    for lang in LANGUAGES:
        po_file = CATALOG.format(lang=lang, ext="po")
        if not os.path.exists(po_file):
            os.makedirs(os.path.dirname(po_file), exist_ok=True)
            subprocess.run(["msginit", "--no-translator", "--locale", lang, "--input", source,
                            "--output-file", po_file], check=True, capture_output=True)
            with open(po_file, encoding="utf-8") as handle:
                text = handle.read()
            header = '"Plural-Forms: ' + PLURAL_FORMS[lang] + '\\n"'
            text = re.sub(r'"Plural-Forms: [^"]*\\n"', lambda _match: header, text, count=1)
            with open(po_file, "w", encoding="utf-8") as handle:
                handle.write(text)
    for lang in languages():
        po_file = CATALOG.format(lang=lang, ext="po")
        if lang != "en":
            subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching",
                            "--add-location=file", "--sort-output", po_file, source], check=True)
        subprocess.run(["msgfmt", "--check-format", "-o", CATALOG.format(lang=lang, ext="mo"), po_file], check=True)
        stats = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, po_file],
                               capture_output=True, text=True, check=True)
        print(f"{lang}: {stats.stderr.strip()}")


if __name__ == "__main__":
    if not shutil.which("xgettext"):
        sys.exit("gettext tools are needed: apt-get install gettext")
    main()
