"""
How a block speaks and shows itself: translation with the runtime's i18n service, the package's
templates, its static files and the fragment a view returns (with the staff tools after it).
"""
import functools
import hashlib
import threading

from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from web_fragments.fragment import Fragment
from xblock.core import XBlockMixin
from xblock.fields import ScopeIds

from .core import N_
from .core.payload import translated
from .rendering import TemplateRenderer

templates = TemplateRenderer(__package__)
# The Studio editor's own files, shared by every block's editor.
STUDIO_ASSETS = "studio_editor"

# How many distinct author settings a process keeps checked (see settings_problems).
SETTINGS_CHECKS_KEPT = 256
_settings_checks = {}
_settings_checks_lock = threading.Lock()


def settings_problems(check, *settings):
    """
    ``check(*settings)`` as a tuple of problems, worked out once per process for each distinct
    value: views and handlers check the author's settings on every request, and they change only
    when an author saves in Studio, which gives a new value and so a new key. The key is the
    digest of the settings' ``repr``, which tells apart every value the settings can hold (1, 1.0,
    True and "1" included; the core's frozen dataclasses print every field); a digest, so that a
    large board kept 256 times stays small.
    """
    key = (check, hashlib.sha256(repr(settings).encode("utf-8")).digest())
    problems = _settings_checks.get(key)
    if problems is None:
        problems = tuple(check(*settings))
        with _settings_checks_lock:
            while len(_settings_checks) >= SETTINGS_CHECKS_KEPT:
                _settings_checks.pop(next(iter(_settings_checks)))  # the oldest first
            _settings_checks[key] = problems
    return problems


# Fixed sentences a view translates, per block class, name and language (see translated_once).
_translated_once = {}
# The runtimes' i18n services (see PresentationMixin.i18n_service).
_i18n_services = {}
# The runtimes' URLs of the package's static files (see resource_url).
_resource_urls = {}
SCRIPT_MESSAGES = {
    "saving": N_("Saving…"),
    "network_error": N_("The server could not be reached. Your input is still here; try again."),
    "server_error": N_("Something went wrong on the server. Your input is still here; try again."),
}


@functools.lru_cache(maxsize=4096)
def element_id(usage_id):
    """
    A short stable id for a block's elements: "pp" and a digest of its usage id. A usage id runs to
    80 characters and a form names it in several attributes of every choice, so a view's HTML (which
    the LMS scans whole for static URLs) is half ids when they spell it out. Letters and digits only,
    so templates show it without escaping it at each of its many uses.
    """
    return SafeString("pp" + hashlib.blake2b(usage_id.encode("utf-8"), digest_size=6).hexdigest())


class SharedAssets:
    """
    What a block hands the runtime when it asks for the URL of a file every block type shares:
    the runtimes make a local resource's URL from the asking block's type (and, in the LMS's
    pipeline, its class's package, which is this one's too), and serve it from that type's class,
    whose static files are the package's.
    """

    scope_ids = ScopeIds(None, "personalized_self_assessment", None, None)


class PresentationMixin(XBlockMixin):
    """Translation, templates and static files; a block sets ``asset_name`` and ``js_init``."""

    asset_name = None
    js_init = None

    @functools.cached_property
    def i18n_service(self):
        """
        The runtime's i18n service, asked once per process for each runtime class, block class and
        language: the LMS builds a new one on each request (finding the package's catalog on disk),
        and what it translates depends on those three alone.
        """
        key = (type(self.runtime), type(self), get_language())
        service = _i18n_services.get(key)
        if service is None:
            service = _i18n_services[key] = self.runtime.service(self, "i18n")
        return service

    def _(self, text):
        """Translate with the runtime's i18n service (which reads this package's catalog)."""
        return self.i18n_service.gettext(text)

    def ugettext(self, text):
        """The name StudioEditableXBlockMixin and ScorableXBlockMixin call."""
        return self._(text)

    def ngettext(self, singular, plural, count):
        return self.i18n_service.ngettext(singular, plural, count)

    def translated_once(self, name, build):
        """
        ``build()``, which translates fixed sentences (a list of labels, say), made once per process
        and language rather than on every view: each translation looks the language up again, and
        costs as much as rendering a few template variables. The i18n service translates for the
        active language, so the language is the key. Callers only read what it returns.
        """
        key = (type(self), name, get_language())
        value = _translated_once.get(key)
        if value is None:
            value = _translated_once[key] = build()
        return value

    def at_most_text(self, count):
        """The hint under a text field, "At most N characters.", in the reader's language."""
        return self.translated_once(("at_most", count), lambda: self.ngettext(
            "At most %(counter)s character.", "At most %(counter)s characters.", count) % {"counter": count})

    def say(self, message, params=None):
        """A core message (N_ text or NP_ pair, see core.payload.translated) in the reader's language."""
        return translated(message, params or {}, self._, self.ngettext)

    def render_template(self, context, template=None, id_prefix=""):
        """
        Render ``templates/<asset_name>.html`` (Django, autoescaped) with the i18n service.
        ``id_prefix`` keeps element ids unique when a second copy shares the page (a preview).
        """
        return templates.render(template or f"{self.asset_name}.html", self.template_context(context, id_prefix),
                                self.i18n_service, self.time_zone)

    def template_context(self, context, id_prefix=""):
        """
        What every template has besides ``context``: the block, its usage id, and the short id
        its element ids start with (``uid``, see element_id), made once here rather than by a filter
        at every use.
        """
        return dict(context, block=self, usage_id=id_prefix + str(self.scope_ids.usage_id), uid=self.uid(id_prefix))

    def uid(self, id_prefix=""):
        """What this block's element ids start with (``id_prefix`` for a second copy on the page: a preview)."""
        return SafeString(id_prefix + element_id(str(self.scope_ids.usage_id)))

    def render_parts(self, context, *names):
        """
        Parts of the view for a handler's answer: what the learner's action changed, not the whole
        block. ``templates/<asset_name>_<name>.html``, included by the block's template, is each part;
        its root carries ``data-part="<name>"`` for the script to put it in place.
        """
        context = self.template_context(context)
        return {name: templates.render(f"{self.asset_name}_{name.replace('-', '_')}.html", context, self.i18n_service,
                                       self.time_zone)
                for name in names}

    def resource_url(self, path, shared=False):
        """
        The runtime's URL of ``static/<path>``, asked once per process for each runtime class, block
        type, path and URL prefix: the workbench and the LMS make it from those alone (a reverse()
        or a static files URL), and it costs as much as rendering a dozen template variables.
        A ``shared`` file (used by every block type) gets one URL whichever block asks, so a page
        of several block types loads it once: runtimes drop a fragment resource whose URL is
        already on the page, and the LMS's development URLs name the block type.
        """
        owner = SharedAssets if shared else self
        key = (type(self.runtime), owner.scope_ids.block_type, path, get_script_prefix())
        url = _resource_urls.get(key)
        if url is None:
            url = _resource_urls[key] = self.runtime.local_resource_url(owner, f"static/{path}")
        return url

    def add_resources(self, fragment, own_name, init=None):
        """The shared CSS and script, then ``css/<own_name>.css`` and ``js/<own_name>.js``, and the init call."""
        fragment.add_css_url(self.resource_url("css/personalized.css", shared=True))
        fragment.add_css_url(self.resource_url(f"css/{own_name}.css", shared=own_name == STUDIO_ASSETS))
        fragment.add_javascript_url(self.resource_url("js/personalized.js", shared=True))
        fragment.add_javascript_url(self.resource_url(f"js/{own_name}.js", shared=own_name == STUDIO_ASSETS))
        if init:
            fragment.initialize_js(*init)
        return fragment

    def build_fragment(self, html, init_args=None):
        """
        A fragment with the shared and block-specific CSS and JS, initialised with ``init_args``.
        For course staff the staff tools follow the block's own markup (outside it, so they stay
        when the block's script swaps in new markup).
        """
        return self.add_resources(Fragment(html + self.render_staff_tools()), self.asset_name,
                                  (self.js_init, init_args or {}))

    def js_messages(self, **messages):
        """The block's script's sentences (``N_``-marked) and the ones every script uses, translated."""
        return self.translated_once(("js_messages",) + tuple(messages.items()), lambda: {
            name: self._(text) for name, text in dict(SCRIPT_MESSAGES, **messages).items()})
