"""
Server-side rendering of the blocks' Django templates, cheap enough to run on every request.

xblock.utils' ``render_django_template`` builds a template engine and compiles the template on
every call, and its ``{% trans %}`` tag merges the block's catalog into Django's translation for
every tag it renders. Here each language gets one translation object, built once: Django's
catalog for that language with the block's catalog (the one its i18n service reads) merged on
top. While a template renders, that object is the active translation, so ``{% trans %}``,
``{% blocktrans %}`` and date formats answer exactly as the i18n service and Django would.

Each language also gets its own compiled copy of every template, compiled once per process, in
which every translation that cannot depend on the context (``{% trans "literal" %}`` and a
``{% blocktrans %}`` without variables) is already replaced by its text: a static string
costs nothing at render time, where Django's tag builds a lazy translation and looks the active
language up on every render, in every loop. A ``{% blocktrans %}`` with variables keeps only the
filling in of its already translated message, literal includes are put in place, and a
``{{ name.key }}`` that names text through plain dicts is looked up and escaped directly.
"""
import html
import threading
from contextlib import contextmanager
from datetime import timezone as dt_timezone
from decimal import Decimal
from importlib import resources

from django.template import Context, Engine
from django.template.base import Node, NodeList, TextNode, Variable, VariableNode, render_value_in_context
from django.template.defaulttags import AutoEscapeControlNode, IfNode, TemplateLiteral
from django.template.loader_tags import IncludeNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, trans_real

# Translations (and compiled templates) kept per (language, catalog); a catalog is the i18n
# service's own dict, shared by every copy gettext hands out, so in practice one per language.
MAX_TRANSLATIONS = 32


class TemplateRenderer:
    """
    Compiled templates of one package's ``templates/`` folder, rendered with its translations.
    ``passes`` are the compile-time rewrites made on each language's templates (all of them unless
    told: benchmarks/lms measures what each one buys by leaving it out).
    """

    def __init__(self, package, passes=None):
        self.folder = str(resources.files(package).joinpath("templates"))
        self.passes = COMPILE_PASSES if passes is None else tuple(passes)
        # For renders with translation switched off altogether: no static text to translate.
        self.engine = self.new_engine("django.template.loaders.cached.Loader")
        self._translations = {}
        self._lock = threading.Lock()

    def new_engine(self, loader, *loader_args):
        return Engine(dirs=[self.folder], libraries={"i18n": "django.templatetags.i18n"}, autoescape=True,
                      builtins=["personalized_path.template_filters"],
                      loaders=[(loader, ["django.template.loaders.filesystem.Loader"], *loader_args)])

    def render(self, name, context, i18n_service=None, time_zone=None):
        """
        ``templates/<name>`` rendered with ``context``, translated as ``i18n_service`` would, its
        dates and times in ``time_zone`` (the reader's; UTC when None).
        """
        language = get_language()
        with timezone.override(time_zone or dt_timezone.utc):
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
            entry = (catalog, merged, self.new_engine("personalized_path.rendering.PretranslatingLoader", self.passes))
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
    Django's cached loader for one language's engine. A template it compiles (only ever while that
    language's translation is active, see TemplateRenderer.render) gets, once: its static
    translations rendered into text, the messages of the others looked up, its literal includes
    put in place, its runs of text joined and its plain lookups made direct. ``test_rendering``
    checks every view and answer against Django's own engine.
    """

    def __init__(self, engine, loaders, passes):
        super().__init__(engine, loaders)
        self.passes = passes

    def get_template(self, template_name, skip=None):
        compiled_now = self.cache_key(template_name, skip) not in self.get_template_cache
        template = super().get_template(template_name, skip)
        if compiled_now:
            for rewrite in self.passes:
                rewrite(template.nodelist, self)
        return template


def pretranslate(nodelist, loader=None):
    """Replace, in place, every translation node whose output cannot depend on the context by that output."""
    for index, node in enumerate(nodelist):
        if isinstance(node, AutoEscapeControlNode):
            continue  # escaping decided while rendering: leave the whole block as it is
        if is_static_translation(node):
            nodelist[index] = TextNode(node.render(Context(autoescape=True)))
            continue
        if isinstance(node, BlockTranslateNode) and node.message_context is None:
            nodelist[index] = PretranslatedBlockNode(node)
            continue
        for branch in child_nodelists(node):
            pretranslate(branch, loader)


class PretranslatedBlockNode(BlockTranslateNode):
    """
    A ``{% blocktrans %}`` with variables, its message looked up once: the translated text with its
    placeholders (both forms and the language's translation, for a count), so that a render only
    fills the placeholders in. Django's tag looks the active language up and translates again on
    every render. A translation that does not fit its placeholders takes Django's own path.
    """

    def __init__(self, node):
        super().__init__(node.extra_context, node.singular, node.plural, node.countervar, node.counter,
                         None, node.trimmed, node.asvar, node.tag_name)
        self.token, self.origin = node.token, node.origin
        singular, self.singular_vars = self.render_token_list(node.singular)
        self.counted = bool(node.plural and node.countervar and node.counter)
        if self.counted:
            plural, plural_vars = self.render_token_list(node.plural)
            self.forms, self.all_vars = (singular, plural), self.singular_vars + plural_vars
            self.translation = trans_real._active.value
        else:
            self.text, self.all_vars = trans_real.gettext(singular), self.singular_vars

    def render(self, context, nested=False):
        if nested:
            return super().render(context, nested)
        context.update({name: value.resolve(context) for name, value in self.extra_context.items()})
        if self.counted:
            count = self.counter.resolve(context)
            if not isinstance(count, (Decimal, float, int)):
                context.pop()
                return super().render(context)  # Django's own error
            context[self.countervar] = count
            text = self.translation.ngettext(*self.forms, count)
        else:
            text = self.text
        invalid = context.template.engine.string_if_invalid
        data = {}
        for name in self.all_vars:
            value = context[name] if name in context else (invalid % name if "%s" in invalid else invalid)
            data[name] = render_value_in_context(value, context)
        context.pop()
        try:
            result = text % data
        except (KeyError, ValueError):
            return super().render(context)
        if self.asvar:
            context[self.asvar] = SafeString(result)
            return ""
        return result


def is_static_translation(node):
    """A static ``{% trans "literal" %}`` (not bound to a name), or a ``{% blocktrans %}`` with no variable or count."""
    if isinstance(node, TranslateNode):
        expression = node.filter_expression
        return (node.asvar is None and node.message_context is None and not expression.filters
                and isinstance(expression.var, Variable) and expression.var.literal is not None)
    if isinstance(node, BlockTranslateNode):
        return (node.asvar is None and node.message_context is None and node.counter is None
                and not node.extra_context and node.plural is None
                and all(token.token_type.name == "TEXT" for token in node.singular))
    return False


def child_nodelists(node):
    """The node lists inside ``node`` (an ``{% if %}`` keeps its branches apart from ``child_nodelists``)."""
    if isinstance(node, IfNode):
        return [branch for _condition, branch in node.conditions_nodelists]
    return [branch for branch in (getattr(node, name, None) for name in node.child_nodelists) if branch]


def inline_includes(nodelist, loader):
    """
    Replace every ``{% include "literal" %}`` by the included template's compiled nodes (compiled
    by this loader, so translated and inlined in turn), rendered in a context layer of their own as
    the include renders them; Django's include looks its template up again on every render.
    """
    for index, node in enumerate(nodelist):
        if isinstance(node, IncludeNode) and not node.isolated_context and isinstance(node.template.var, str) \
                and node.template.var and not node.template.filters:
            included = loader.get_template(node.template.var)
            nodelist[index] = InlinedTemplateNode(included.nodelist, node.extra_context)
            continue
        for branch in child_nodelists(node):
            inline_includes(branch, loader)


class InlinedTemplateNode(Node):
    """An included template's nodes in place of the include, with its ``with`` values in a layer of their own."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, extra_context):
        self.nodelist, self.extra_context = nodelist, extra_context

    def render(self, context):
        values = {name: var.resolve(context) for name, var in self.extra_context.items()}
        with context.push(**values):
            return self.nodelist.render(context)


def own_nodelists(node):
    """
    The node lists inside ``node`` that belong to the template being compiled: an inlined template's
    nodes were prepared when it was compiled on its own, and other templates' renders share them.
    """
    return [] if isinstance(node, InlinedTemplateNode) else child_nodelists(node)


def join_text(nodelist, loader=None):
    """Join runs of adjacent text nodes (as translated ones leave them) into one node each, in place."""
    merged = NodeList()
    for node in nodelist:
        if isinstance(node, TextNode) and merged and isinstance(merged[-1], TextNode):
            merged[-1] = TextNode(merged[-1].s + node.s)
        else:
            merged.append(node)
        for branch in own_nodelists(node):
            join_text(branch, loader)
    nodelist[:] = merged


def plain_lookups(nodelist, loader=None):
    """Make every filter-free ``{{ name.key }}`` a PlainLookupNode, and such names in conditions PlainLiterals."""
    for index, node in enumerate(nodelist):
        if type(node) is VariableNode:  # pylint: disable=unidiomatic-typecheck
            if is_plain_lookup(node.filter_expression):
                nodelist[index] = PlainLookupNode(node)
            continue
        if isinstance(node, IfNode):
            node.conditions_nodelists = [(plain_condition(condition), branch)
                                         for condition, branch in node.conditions_nodelists]
        for branch in own_nodelists(node):
            plain_lookups(branch, loader)


def is_plain_lookup(expression):
    """Whether a template expression is a filter-free ``name.key.key``."""
    return (not expression.filters and isinstance(expression.var, Variable) and bool(expression.var.lookups)
            and not expression.var.translate)


def plain_condition(condition):
    """An ``{% if %}`` condition with its plain operands made PlainLiterals (in place, but for the top)."""
    if isinstance(condition, TemplateLiteral):
        return PlainLiteral(condition) if is_plain_lookup(condition.value) else condition
    for side in ("first", "second"):
        operand = getattr(condition, side, None)
        if operand is not None:
            setattr(condition, side, plain_condition(operand))
    return condition


def plain_value(names, context):
    """The value at ``names`` through the context and plain dicts; KeyError when it is not found so, or callable."""
    value = context[names[0]]
    for key in names[1:]:
        if type(value) is not dict:  # pylint: disable=unidiomatic-typecheck
            raise KeyError(key)
        value = value[key]
    if callable(value):
        raise KeyError(names[-1])
    return value


class PlainLiteral(TemplateLiteral):
    """A condition's ``name.key`` looked up as PlainLookupNode does; what is not found so is left to Django."""

    def __init__(self, literal):
        super().__init__(literal.value, literal.text)
        self.names = literal.value.var.lookups

    def eval(self, context):
        try:
            return plain_value(self.names, context)
        except KeyError:
            return super().eval(context)


class PlainLookupNode(VariableNode):
    """
    ``{{ name.key.key }}`` with no filter, when it names text through plain dicts (most of what a
    view shows): one lookup per step and the text escaped straight away. Django's node tries each
    step as a key, an attribute and an index, checks for callables, then localizes and escapes
    through lazy-aware wrappers. A value found so that is not text (a number, a date) is rendered
    as Django renders it; anything not found so (an attribute, a missing key, a callable) takes
    Django's path.
    """

    def __init__(self, node):
        super().__init__(node.filter_expression)
        self.token, self.origin = node.token, node.origin
        self.names = node.filter_expression.var.lookups

    def render(self, context):
        try:
            value = plain_value(self.names, context)
        except KeyError:
            return super().render(context)
        if context.autoescape:
            if type(value) is str:  # pylint: disable=unidiomatic-typecheck
                return SafeString(html.escape(value))
            if type(value) is SafeString:  # pylint: disable=unidiomatic-typecheck
                return value
        return render_value_in_context(value, context)


# In the order they run: literal includes are put in place once translated, then the text joined.
COMPILE_PASSES = (pretranslate, inline_includes, join_text, plain_lookups)
