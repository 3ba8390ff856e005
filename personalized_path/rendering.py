"""
Server-side rendering of the blocks' Django templates, cheap enough to run on every request.

xblock.utils' ``render_django_template`` builds a template engine and compiles the template on
every call, and its ``{% trans %}`` tag merges the block's catalog into Django's translation for
every tag it renders. Here each language gets one translation object, built once: Django's
catalog for that language with the block's catalog (the one its i18n service reads) merged on
top. While a template renders, that object is the active translation, so ``{% trans %}``,
``{% blocktrans %}`` and date formats answer exactly as the i18n service and Django would.

Each language also gets its own compiled copy of every template, compiled once per process, in
which every translation that cannot depend on the context (``{% trans "literal" %}``, also with
``as``, and a ``{% blocktrans %}`` without variables) is already replaced by its text: a static string
costs nothing at render time, where Django's tag builds a lazy translation and looks the active
language up on every render, in every loop.
"""
import threading
from contextlib import contextmanager
from importlib import resources

from django.template import Context, Engine
from django.template.base import Node, TextNode, Variable
from django.template.defaulttags import AutoEscapeControlNode, IfNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils.translation import get_language, trans_real

# Translations (and compiled templates) kept per (language, catalog); a catalog is the i18n
# service's own dict, shared by every copy gettext hands out, so in practice one per language.
MAX_TRANSLATIONS = 32


class TemplateRenderer:
    """Compiled templates of one package's ``templates/`` folder, rendered with its translations."""

    def __init__(self, package):
        self.folder = str(resources.files(package).joinpath("templates"))
        # For renders with translation switched off altogether: no static text to translate.
        self.engine = self.new_engine("django.template.loaders.cached.Loader")
        self._translations = {}
        self._lock = threading.Lock()

    def new_engine(self, loader):
        return Engine(dirs=[self.folder], libraries={"i18n": "django.templatetags.i18n"}, autoescape=True,
                      builtins=["personalized_path.template_filters"],
                      loaders=[(loader, ["django.template.loaders.filesystem.Loader"])])

    def render(self, name, context, i18n_service=None):
        """``templates/<name>`` rendered with ``context``, translated as ``i18n_service`` would."""
        language = get_language()
        if not language:  # translation deactivated altogether: render untranslated, as Django would
            return self.engine.get_template(name).render(Context(context, autoescape=True))
        merged, engine = self.translation(language, i18n_service)
        with active_translation(merged):
            # Compiled (and its static translations rendered) under this translation, the first time.
            return engine.get_template(name).render(Context(context, autoescape=True))

    @contextmanager
    def translated(self, i18n_service):
        """Make the merged translation for the current language active (for code outside templates)."""
        language = get_language()
        if not language:
            yield
            return
        with active_translation(self.translation(language, i18n_service)[0]):
            yield

    def translation(self, language, i18n_service):
        """
        Django's translation for ``language`` with the service's catalog on top, and the template
        engine whose templates are pre-translated with it; built once.
        """
        catalog = getattr(i18n_service, "_catalog", None) if i18n_service is not None else None
        key = (language, id(catalog))
        entry = self._translations.get(key)
        if entry is None or entry[0] is not catalog:
            merged = trans_real.DjangoTranslation(language)
            if catalog:
                merged.merge(i18n_service)
            # Holding the catalog keeps its id from being reused.
            entry = (catalog, merged, self.new_engine("personalized_path.rendering.PretranslatingLoader"))
            with self._lock:
                if len(self._translations) >= MAX_TRANSLATIONS:
                    self._translations.pop(next(iter(self._translations)))
                self._translations[key] = entry
        return entry[1], entry[2]


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


class PretranslatingLoader(cached.Loader):
    """
    Django's cached loader for one language's engine: a template it compiles (only ever while that
    language's translation is active, see TemplateRenderer.render) gets its static translations
    rendered into text once.
    """

    def get_template(self, template_name, skip=None):
        compiled_now = self.cache_key(template_name, skip) not in self.get_template_cache
        template = super().get_template(template_name, skip)
        if compiled_now:
            pretranslate(template.nodelist)
        return template


def pretranslate(nodelist):
    """Replace, in place, every translation node whose output cannot depend on the context by that output."""
    for index, node in enumerate(nodelist):
        if isinstance(node, AutoEscapeControlNode):
            continue  # escaping decided while rendering: leave the whole block as it is
        if is_static_translation(node):
            if node.asvar:  # {% trans "..." as name %}: the same value, set without translating again
                context = Context(autoescape=True)
                node.render(context)
                nodelist[index] = SetVariableNode(node.asvar, context[node.asvar])
            else:
                nodelist[index] = TextNode(node.render(Context(autoescape=True)))
            continue
        if isinstance(node, IfNode):
            for _condition, branch in node.conditions_nodelists:
                pretranslate(branch)
            continue
        for name in node.child_nodelists:
            branch = getattr(node, name, None)
            if branch:
                pretranslate(branch)


class SetVariableNode(Node):
    """What a static ``{% trans "..." as name %}`` does once translated: set ``name`` in the context."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def render(self, context):
        context[self.name] = self.value
        return ""


def is_static_translation(node):
    """A static ``{% trans "literal" %}`` (``as`` allowed), or a ``{% blocktrans %}`` with no variable or count."""
    if isinstance(node, TranslateNode):
        expression = node.filter_expression
        return (node.message_context is None and not expression.filters
                and isinstance(expression.var, Variable) and expression.var.literal is not None)
    if isinstance(node, BlockTranslateNode):
        return (node.asvar is None and node.message_context is None and node.counter is None
                and not node.extra_context and node.plural is None
                and all(token.token_type.name == "TEXT" for token in node.singular))
    return False
