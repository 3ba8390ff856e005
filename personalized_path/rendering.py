"""
Server-side rendering of the blocks' Django templates, cheap enough to run on every request.

xblock.utils' ``render_django_template`` builds a template engine and compiles the template on
every call, and its ``{% trans %}`` tag merges the block's catalog into Django's translation for
every tag it renders. Here one engine with Django's cached loader compiles each template once per
process, and each language gets one translation object, built once: Django's catalog for that
language with the block's catalog (the one its i18n service reads) merged on top. While a template
renders, that object is the active translation, so ``{% trans %}``, ``{% blocktrans %}`` and date
formats answer exactly as the i18n service and Django would.

Templates are compiled without their indentation and blank lines (``CompactLoader``): the HTML a
view sends is read again by the LMS, which scans it whole for static and course URLs, and by
the learner's phone.

Templates are Django's own once compiled: rewriting their nodes at compile time bought less than
10% of any view in a real LMS (benchmarks/README.md, "Compile passes").
"""
import re
import threading
from contextlib import contextmanager
from datetime import timezone as dt_timezone
from importlib import resources

from django.template import Context, Engine
from django.template.loaders import filesystem
from django.utils import timezone
from django.utils.translation import get_language, trans_real

# A template line of tags that print nothing: its line break would print an empty line.
CONTROL_LINE = re.compile(r"(?:\{%-? *(?:if|elif|else|endif|for|empty|endfor|with|endwith|load|comment|endcomment)\b"
                          r"[^%]*%\}|\{#.*?#\})+")

# Translations kept per (language, catalog); a catalog is the i18n service's own dict, shared by
# every copy gettext hands out, so in practice one per language.
MAX_TRANSLATIONS = 32


class CompactLoader(filesystem.Loader):
    """
    Template files without indentation or blank lines, and without the line break after a line
    that is only control tags (``{% if %}``, ``{% endfor %}``...), which would print an empty line.
    A break stays after every line that can print, so words never run together; no template has
    a multi-line ``<pre>``, ``<textarea>`` or untrimmed ``{% blocktrans %}``, whose text would
    change (tests/blocks/test_rendering.py).
    """

    def get_contents(self, origin):
        lines = (line.strip() for line in super().get_contents(origin).splitlines())
        return "".join(line if CONTROL_LINE.fullmatch(line) else line + "\n" for line in lines if line)


class TemplateRenderer:
    """Compiled templates of one package's ``templates/`` folder, rendered with its translations."""

    def __init__(self, package):
        self.folder = str(resources.files(package).joinpath("templates"))
        self.engine = Engine(dirs=[self.folder], libraries={"i18n": "django.templatetags.i18n"}, autoescape=True,
                             builtins=["personalized_path.template_filters"],
                             loaders=[("django.template.loaders.cached.Loader",
                                       ["personalized_path.rendering.CompactLoader"])])
        self._translations = {}
        self._lock = threading.Lock()

    def render(self, name, context, i18n_service=None, time_zone=None):
        """
        ``templates/<name>`` rendered with ``context``, translated as ``i18n_service`` would, its
        dates and times in ``time_zone`` (the reader's; UTC when None).
        """
        template = self.engine.get_template(name)
        with timezone.override(time_zone or dt_timezone.utc), self.translated(i18n_service):
            return template.render(Context(context, autoescape=True))

    @contextmanager
    def translated(self, i18n_service):
        """Make the merged translation for the current language active (untranslated when translation is off)."""
        language = get_language()
        if not language:
            yield
            return
        with active_translation(self.translation(language, i18n_service)):
            yield

    def translation(self, language, i18n_service):
        """Django's translation for ``language`` with the service's catalog on top; built once."""
        catalog = getattr(i18n_service, "_catalog", None) if i18n_service is not None else None
        key = (language, id(catalog))
        entry = self._translations.get(key)
        if entry is None or entry[0] is not catalog:
            merged = trans_real.DjangoTranslation(language)
            if catalog:
                merged.merge(i18n_service)
            entry = (catalog, merged)  # holding the catalog keeps its id from being reused
            with self._lock:
                if len(self._translations) >= MAX_TRANSLATIONS:
                    self._translations.pop(next(iter(self._translations)))
                self._translations[key] = entry
        return entry[1]


@contextmanager
def active_translation(translation):
    """Make ``translation`` Django's active translation in this thread for the block."""
    previous = getattr(trans_real._active, "value", None)  # pylint: disable=protected-access
    trans_real._active.value = translation  # pylint: disable=protected-access
    try:
        yield
    finally:
        if previous is None:
            del trans_real._active.value  # pylint: disable=protected-access
        else:
            trans_real._active.value = previous  # pylint: disable=protected-access
