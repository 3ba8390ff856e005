"""
What every personalized_path block shares: resources, rendering, i18n, JSON handlers, staff
checks, events, versioned learner state, the per-learner write lock and the mobile user-state handler.
"""
import contextlib
import functools
import hashlib
import json
import logging
import random
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from importlib import resources

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from django.core.cache import cache as django_cache
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import get_language
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock, XBlockMixin
from xblock.exceptions import JsonHandlerError
from xblock.fields import Scope, ScopeIds
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.validation import ValidationMessage

from .fields import Dict, Float, List, Reference, ReferenceList, String
from .core import N_
from .core.payload import PayloadError, as_object, as_text, only_keys, parse_object, require, translated
from .core.preview import read_values as read_preview_values
from .core.state import ANY, COUNT, FIELD_MAX_BYTES, MapOf, Record
from .dates import local_day, time_text, user_time_zone
from .rendering import TemplateRenderer

log = logging.getLogger(__name__)
templates = TemplateRenderer(__package__)
COUNT_MARKS_SHAPE = MapOf(Record(required={"serial": COUNT, "epoch": COUNT}))
SUMMARY_COPY_SHAPE = Record(required={"serial": COUNT, "epoch": COUNT, "value": ANY})

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
    A usage id as a slug for element ids; the same few blocks render again and again in a worker.
    Safe for HTML as it is (letters, digits, "-" and "_"), so templates show it without escaping it
    at each of its many uses.
    """
    return SafeString(slugify(usage_id))


class SharedAssets:
    """
    What a block hands the runtime when it asks for the URL of a file every block type shares:
    the runtimes make a local resource's URL from the asking block's type (and, in the LMS's
    pipeline, its class's package, which is this one's too), and serve it from that type's class,
    whose static files are the package's.
    """

    scope_ids = ScopeIds(None, "personalized_self_assessment", None, None)


# The Studio editor's own files, shared by every block's editor.
STUDIO_ASSETS = "studio_editor"
EVENT_PREFIX = "personalized_path"
# Names the platform's cheaper way to read a linked block of ours (``read_linked``); the plugin sets it
# in the LMS and Studio (openedx/settings.py), and a runtime without it loads linked blocks as usual.
LINKED_VIEW_SETTING = "PERSONALIZED_PATH_LINKED_VIEW"
OWN_BLOCK_TYPE_PREFIX = "personalized_"
# Learner states kept migrated per runtime for readers (see shared_state); the runtime lives for a request.
SHARED_STATES = 512
# How many blocks a walk of the course tree visits at most (a course outline is rarely bigger).
COURSE_WALK_LIMIT = 3000
# Block types known to have no children: a walk of the course tree need not load them.
LEAF_TYPES = frozenset((
    "html", "problem", "video", "discussion", "html_demo", "personalized_self_assessment",
    "personalized_choice_board", "personalized_skill_check", "personalized_goal_reflection",
    "personalized_learning_plan",
))

# A learner's lock: how long a request waits for it before answering 409, and how long it lives
# if its holder dies (a handler holds it for milliseconds).
LOCK_WAIT_SECONDS = 5
LOCK_HOLD_SECONDS = 30
# The latest copy of a class summary kept in the shared cache (see count_in_class).
SUMMARY_COPY_SECONDS = 7 * 24 * 3600
# A class summary's lock (see save_counted): a learner waits at most this long for it, then saves
# without counting (their record keeps what is counted, so their next write or a recount makes up
# for it); and a lock whose holder died lets go by itself after this long (holders need milliseconds).
SUMMARY_LOCK_WAIT_SECONDS = 0.25
SUMMARY_LOCK_HOLD_SECONDS = 3
# A recount holds the summary's lock while it reads every learner's state.
RECOUNT_HOLD_SECONDS = 120
# The key of ``counted_in_class`` under which each summary's recount epoch is recorded.
COUNT_EPOCHS = "epochs"
USER_STATE_CLIENT_SETTING = "PERSONALIZED_PATH_USER_STATE_CLIENT"
# Named, not imported: platform glue stays out of the blocks' imports.
DEFAULT_USER_STATE_CLIENT = "personalized_path.openedx.user_states.platform_user_state_client"
SAVE_TRANSACTION_SETTING = "PERSONALIZED_PATH_SAVE_TRANSACTION"
DEFAULT_SAVE_TRANSACTION = "personalized_path.openedx.storage.save_transaction"


class Conflict(Exception):
    """A write based on state that another tab has changed since (answered with 409)."""

    def __init__(self, message, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


JSON_TYPE = "application/json"
# xblock-utils' Studio editor posts its JSON body with jQuery's default (form) content type.
STUDIO_SAVE_TYPES = (JSON_TYPE, "application/x-www-form-urlencoded")


def json_api(func=None, *, staff_only=False, content_types=(JSON_TYPE,)):
    """
    A POST-only JSON handler that is strict where ``XBlock.json_handler`` is lenient, and that runs
    under this learner's write lock for the block (``PersonalizedBlockMixin.learner_lock``).

    Bodies with NaN, Infinity, deep nesting or a non-object top level get 400; a PayloadError
    raised by the handler gets 400 naming the field; Conflict gets 409 (also when the lock stays
    busy). Handlers validate everything before changing a field, so every error leaves the
    fields as they were.
    ``staff_only`` handlers answer 403 to anyone but the course team before reading the request.
    """
    if func is None:
        return functools.partial(json_api, staff_only=staff_only, content_types=content_types)

    @XBlock.handler
    @functools.wraps(func)
    def wrapper(self, request, suffix=""):
        if staff_only and not self.can_edit_settings():
            return json_response({"error": self._("Only the course team can change these settings."), "field": ""},
                                 403)
        if request.method != "POST":
            return JsonHandlerError(405, self._("Use POST for this request.")).get_response(allow=["POST"])
        refused = self.refuse_content_type(request, content_types)
        if refused:
            return refused
        try:
            data = parse_object(request.body)
            with self.learner_lock():
                result = func(self, data, suffix)
        except PayloadError as error:
            # A sentence for the learner; the field travels apart, for the script to place the message.
            return json_response({"error": error.sentence(self._, self.ngettext), "field": error.field}, 400)
        except Conflict as error:
            return json_response({"error": error.message, **error.extra}, 409)
        except JsonHandlerError as error:
            return json_response({"error": error.message}, error.status_code)
        return result if isinstance(result, Response) else json_response(result)
    wrapper.json_api = True
    return wrapper


class CacheLock:
    """
    A lock shared by every worker process: ``add`` on the platform's shared cache (memcached or
    Redis in the LMS, a database table in the workbench) stores the key only if it is absent,
    atomically, so exactly one request holds it. It expires by itself after ``hold`` seconds, so a
    worker that dies holding it blocks the learner for at most that long.
    """

    def __init__(self, cache, key, *, wait, hold):
        self.cache, self.key, self.wait, self.hold = cache, key, wait, hold
        self.token = uuid.uuid4().hex

    def acquire(self):
        """True once held; False when it stayed busy for ``wait`` seconds."""
        deadline = time.monotonic() + self.wait
        while not self.cache.add(self.key, self.token, self.hold):
            if time.monotonic() >= deadline:
                return False
            time.sleep(random.uniform(0.01, 0.04))  # jitter: waiters do not wake in step
        return True

    def release(self):
        # Only our own lock: if it expired and another request took it, it is theirs.
        if self.cache.get(self.key) == self.token:
            self.cache.delete(self.key)


def json_response(payload, status=200):
    return Response(json.dumps(payload), status=status, content_type="application/json", charset="utf-8")


def parse_iso(value):
    """A stored ISO timestamp as an aware datetime, or None when unreadable."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


# --- references to other blocks ------------------------------------------------------------------

def as_usage_key(reference):
    """
    A reference as the runtime loads it: a usage key as it is, the text of a usage key parsed into
    one, any other id (the workbench's plain string ids) unchanged.
    """
    if reference is None or isinstance(reference, UsageKey):
        return reference
    try:
        return UsageKey.from_string(str(reference))
    except InvalidKeyError:
        return str(reference)


@functools.lru_cache(maxsize=8)
def _imported(path):
    return import_string(path)


def platform_function(setting, default=None):
    """
    The platform glue a Django setting names (a dotted path; ``default`` when unset), imported once,
    or None when it names nothing: blocks never import ``personalized_path.openedx``. Raises
    ImportError where the named module is not there (outside the platform).
    """
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    path = getattr(settings, setting, default)
    return _imported(path) if path else None


def reference_text(value):
    """A usage key as its text; anything else unchanged."""
    return str(value) if isinstance(value, UsageKey) else value


class BlockReference(Reference):
    """
    A reference to another block of the course. In the LMS it holds a ``UsageKey`` (the
    modulestore hands references back as keys, and the platform's importer and exporter map them
    between courses), which ``json.dumps`` refuses: OLX export writes the key's text instead.
    """

    def to_string(self, value):
        return super().to_string(reference_text(value))


class BlockReferenceList(ReferenceList):
    """A list of references to other blocks of the course, exported to OLX as their texts."""

    def to_string(self, value):
        return super().to_string([reference_text(item) for item in value] if isinstance(value, list) else value)


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants("personalized_clock")
@XBlock.wants("studio_user_permissions")  # Studio only: who may edit the course
@XBlock.wants("cache")
@XBlock.wants("user_state")
@XBlock.wants("user_state_client")
class PersonalizedBlockMixin(XBlockMixin):
    """
    Shared base for the blocks. A block sets ``asset_name`` (its template, CSS and JS files)
    and ``js_init`` (its global init function), and lists its learner-state fields in
    ``user_state_fields``.
    """

    asset_name = None
    js_init = None
    user_state_fields = ()
    #: ``{reference field: method this block calls on the blocks it names}`` for every reference
    #: whose learner state this block reads; the method also tells a block of the right kind.
    linked_state_readers = {}
    #: ``{old name: new name}`` of settings renamed because the old name is one the platform passes
    #: down the course tree (InheritanceMixin): OLX and stored values under the old name still count.
    renamed_fields = {}
    # XBlock's own two settings, declared again so that their stored values are guarded like ours.
    name = String(help="Short name for the block", scope=Scope.settings)
    tags = List(help="Tags for this block", scope=Scope.settings)

    pending_counts = None  # class summary updates a handler asked for, made once it has succeeded

    counted_in_class = Dict(scope=Scope.user_state, default={},
                            help="What the class summaries count for this learner (see count_in_class).")
    class_count_marks = Dict(scope=Scope.user_state_summary, default={}, shape=COUNT_MARKS_SHAPE,
                             help="Per class summary: how often it was written (serial) and recounted (epoch).")
    # Serve static/ of the installed package through the runtime's local resource URLs.
    resources_dir = "."
    public_dir = "static"

    # --- i18n and rendering ----------------------------------------------------------------

    @functools.cached_property
    def i18n_service(self):
        # Looked up once per block instance (that is, per request): views call it for every string.
        return self.runtime.service(self, "i18n")

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
        What every template has besides ``context``: the block, its usage id, and that id as a
        slug (``uid``) for element ids, made once here rather than by a filter at every use.
        """
        usage_id = id_prefix + str(self.scope_ids.usage_id)
        return dict(context, block=self, usage_id=usage_id, uid=element_id(usage_id))

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

    # --- users and events ------------------------------------------------------------------

    def current_user(self):
        user_service = self.runtime.service(self, "user")
        return user_service.get_current_user() if user_service else None

    def is_staff(self):
        """Course staff, as the platform's user service reports it (not while rendering a preview)."""
        if getattr(self, "_previewing", False):
            return False
        user = self.current_user()
        return bool(user and user.opt_attrs.get("edx-platform.user_is_staff"))

    def require_staff(self, or_author=False):
        """403 unless course staff; with ``or_author``, Studio's authors of the course pass too."""
        if not (self.can_edit_settings() if or_author else self.is_staff()):
            raise JsonHandlerError(403, self._("Only course staff can do this."))

    def now(self):
        """
        The current UTC time. A runtime may offer a ``personalized_clock`` service (the workbench
        does, so tests can move time on without waiting); the LMS has none, so it is the real clock.
        """
        clock = self.runtime.service(self, "personalized_clock")
        return clock.now() if clock else datetime.now(timezone.utc)

    @functools.cached_property
    def time_zone(self):
        """The reader's time zone, from the platform's user preference (UTC without one); looked up once per request."""
        return user_time_zone(self.current_user())

    def today(self):
        """The reader's calendar day now, in their time zone."""
        return local_day(self.now(), self.time_zone)

    def time_text(self, value):
        """A stored time as this reader reads it where the zone matters (a staff lookup): with the zone's name."""
        return time_text(value, self.time_zone)

    def now_text(self):
        """``now()`` as stored in learner state."""
        return self.now().replace(microsecond=0).isoformat()

    def can_edit_settings(self):
        """
        Whether the current user may see and change this block's settings. Studio's user service
        reports nobody as staff, so there Studio's own write permission on the course decides;
        elsewhere (the LMS, the workbench) course staff status does.
        """
        permissions = self.runtime.service(self, "studio_user_permissions")
        if permissions is not None:
            usage = self.scope_ids.usage_id
            course = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
            return bool(permissions.can_write(course))
        return self.is_staff()

    def refuse_content_type(self, request, accepted=(JSON_TYPE,)):
        """
        A 415 answer when the body is not declared as JSON, else None. Checked before the body is
        read: a multipart body that Django has already parsed as a form cannot be read again.
        """
        if (request.content_type or "").lower() in accepted:
            return None
        return json_response({"error": self._("This request must be sent as JSON (Content-Type: application/json)."),
                              "field": ""}, 415)

    def publish(self, name, data):
        """Emit ``personalized_path.<block>.<name>`` to the platform's tracking log."""
        self.runtime.publish(self, f"{EVENT_PREFIX}.{self.asset_name}.{name}", data)

    # --- linked blocks ---------------------------------------------------------------------------

    def load_linked(self, reference, reader=None):
        """
        The block ``reference`` names, bound to the same learner as this one; None when unset,
        missing or deleted, or (given ``reader``) when it lacks that method or attribute.
        """
        return self._linked(reference, reader, self.runtime.get_block)

    def read_linked(self, reference, reader=None):
        """
        Like ``load_linked``, for reading this learner's state in a linked block of ours. Where the
        platform offers a cheaper way (``PERSONALIZED_PATH_LINKED_VIEW``: in the LMS, the block as
        authored with this learner's state, see openedx/linked.py), that, without the LMS's access
        check on the block and its ancestors, which ``load_linked`` keeps for what learners are shown.
        """
        view_of = platform_function(LINKED_VIEW_SETTING)
        if view_of is None or not str(getattr(as_usage_key(reference), "block_type", "")).startswith(
                OWN_BLOCK_TYPE_PREFIX):
            return self.load_linked(reference, reader)
        return self._linked(reference, reader, lambda key: view_of(self, key) or self.runtime.get_block(key))

    def _linked(self, reference, reader, load):
        if not reference:
            return None
        try:
            block = load(as_usage_key(reference))
        except Exception as error:  # pylint: disable=broad-except
            # Deleted blocks, ids from another course or runtime: never a 500.
            log.warning("%s cannot load linked block %s: %s", self.scope_ids.usage_id, reference, error)
            return None
        if reader and not getattr(block, reader, None):
            return None
        return block

    def references(self, field_name):
        """The references a Reference or ReferenceList field holds."""
        value = getattr(self, field_name)
        return value if isinstance(value, list) else [value]

    def linked_blocks(self, field_name):
        """The blocks a Reference or ReferenceList field names, read for this learner's state in them."""
        reader = self.linked_state_readers.get(field_name)
        found = (self.read_linked(ref, reader) for ref in self.references(field_name))
        return [block for block in found if block is not None]

    def linked_block(self, field_name):
        """The block a Reference field names, or None (see ``linked_blocks``)."""
        blocks = self.linked_blocks(field_name)
        return blocks[0] if blocks else None

    def declared_blocks(self):
        """
        Every block whose learner state this one reads, each once (never this block), as authored:
        the LMS asks for them while it loads learner state, before anything is shown.
        """
        found, seen = [], {str(self.scope_ids.usage_id)}
        for field_name, reader in self.linked_state_readers.items():
            for block in filter(None, (self.authored_block(ref, reader) for ref in self.references(field_name))):
                key = str(block.scope_ids.usage_id)
                if key not in seen:
                    seen.add(key)
                    found.append(block)
        return found

    def get_required_block_descriptors(self):
        """
        The blocks whose learner state this one reads. The LMS preloads learner state only for the
        rendered block's subtree and the blocks named here (as for its ConditionalBlock); any other
        block reads as empty. The platform walks these lists recursively with no visited set, so a
        block from which this one can be reached again is left out (and reads as empty here).
        """
        return [block for block in self.declared_blocks() if not self.reachable_from(block)]

    def reachable_from(self, block, limit=1000):
        """Whether the preloading walk from ``block`` (children and declared blocks) comes back here."""
        target, seen, pending = str(self.scope_ids.usage_id), set(), [block]
        while pending and len(seen) < limit:
            current = pending.pop()
            key = str(current.scope_ids.usage_id)
            if key == target:
                return True
            if key in seen:
                continue
            seen.add(key)
            if getattr(current, "has_children", False):
                pending.extend(self.authored_block(child) for child in current.children)
            declared = getattr(current, "declared_blocks", None)
            if callable(declared):
                pending.extend(declared())
            pending = [item for item in pending if item is not None]
        return bool(pending)

    # --- renamed settings --------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        """OLX written before a rename: the old attribute sets the new field."""
        for old, new in cls.renamed_fields.items():
            value = node.attrib.pop(old, None)
            if value is not None and node.get(new) is None:
                node.set(new, value)
        return super().parse_xml(node, runtime, keys)

    def setting(self, name):
        """
        A setting's value. For a renamed one the author never set, the value the author set under
        the old name, if any: in the LMS that name is still a field (the platform's), and a course
        saved before the rename keeps it there. Inherited values never count.
        """
        field = self.fields[name]
        if not field.is_set_on(self):
            for old, new in self.renamed_fields.items():
                legacy = self.fields.get(old)
                if new == name and legacy is not None and legacy.is_set_on(self):
                    value = legacy.read_from(self)
                    if type(value) is type(field.default):
                        return value
        return getattr(self, name)

    # --- Studio ------------------------------------------------------------------------------

    def studio_view(self, context=None):
        """The settings editor, which shows every setting (a skill check's answer key too): course team only."""
        if not self.can_edit_settings():
            return Fragment(format_html('<p class="pp-refused">{}</p>', self._("Only the course team can edit this.")))
        return super().studio_view(context)

    def setting_label(self, name):
        """A setting as authors see it in Studio: its translated name, in quotes."""
        label = getattr(self.fields.get(name), "display_name", None) or name
        return "\u201c" + self._(label) + "\u201d"

    def add_setting_problems(self, validation, problems):
        """Add PayloadErrors about settings to ``validation``, each naming its setting as Studio shows it."""
        for problem in problems:
            message = problem.sentence(self._, self.ngettext)
            name = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
            if name in self.fields:
                where = f" ({problem.field})" if problem.field != name else ""
                message = f"{self.setting_label(name)}{where}: {message}"
            validation.add(ValidationMessage(ValidationMessage.ERROR, message))

    # --- staff tools: link warnings, preview as a learner, class summary, one learner's answers ------

    state_shape = None  # the block's core.STATE_SHAPE, for looking up one learner's answers

    def link_warnings(self):
        """Sentences for staff about links to other blocks that are broken, saying what to fix."""
        return []

    def preview_fields(self):
        """The preview form (see core.preview); empty when the block offers no preview."""
        return []

    def preview_html(self, values):
        """The learner view for the checked preview ``values``, computed without storing anything."""
        return ""  # only called for blocks whose preview_fields() is not empty, which override this

    def class_summary(self):
        """``{"learners", "row_heading", "columns", "rows": [{"label", "cells"}]}`` of anonymous counts, or None."""
        return None

    def lookup_rows(self, state):  # pylint: disable=unused-argument
        """One learner's answers as ``[{"label", "value"}]``; None when the block has no lookup."""
        return None

    def render_staff_tools(self):
        """
        For the course team: link warnings and the preview, in the LMS and in Studio's preview of the
        unit (where authors are not "staff" to the user service); the class summary and the lookup
        of one learner only in the LMS, where learners' data is.
        """
        if not self.can_edit_settings():
            return ""
        with_learners = self.is_staff()
        lookup = with_learners and self.state_shape is not None and \
            self.lookup_rows(self.state_shape.default()) is not None
        context = {"warnings": self.link_warnings(), "preview_fields": self.preview_fields(),
                   "summary": self.class_summary() if with_learners else None, "lookup": lookup,
                   "recount": with_learners and bool(self.class_count_rules())}
        if not any(context.values()):
            return ""
        return self.render_template(context, "staff_tools.html")

    @json_api
    def preview(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        The course team (course staff in the LMS, authors in Studio): ``{"values": {...}}`` -> this
        block as a learner with those values would see it, computed by the same core functions as
        the learner's own view; nothing is stored.
        """
        self.require_staff(or_author=True)
        only_keys(data, ("values",))
        fields = self.preview_fields()
        if not fields:
            raise JsonHandlerError(404, self._("This block has no preview."))
        values = read_preview_values(fields, as_object(require(data, "values"), "values"))
        self._previewing = True
        try:
            return {"html": self.preview_html(values)}
        finally:
            self._previewing = False

    @json_api
    def learner_answers(self, data, suffix=""):  # pylint: disable=unused-argument
        """Staff: ``{"username": "..."}`` -> that learner's answers here, read through the user_state service."""
        self.require_staff()
        only_keys(data, ("username",))
        username = as_text(require(data, "username"), "username", 150, min_chars=1, multiline=False).strip()
        service = self.runtime.service(self, "user_state")
        if self.state_shape is None or service is None:
            raise JsonHandlerError(404, self._("Looking up a learner is not available here."))
        stored = service.get_state_as_dict(username, self.scope_ids.usage_id) or {}
        rows = self.lookup_rows(self.read_state(self.state_shape, stored.get("learner_state"))) if stored else []
        return {"html": self.render_template({"username": username, "rows": rows}, "learner_lookup.html")}

    def reference_key(self, ref):
        """A reference as the runtime's usage key (opaque keys in the LMS, plain strings in the workbench)."""
        if isinstance(ref, str):
            try:
                return UsageKey.from_string(ref)
            except InvalidKeyError:
                pass
        return ref

    def reference_problem(self, ref, block_type):
        """None when ``ref`` loads a block of ``block_type``; otherwise "missing" or "wrong_kind"."""
        try:
            block = self.runtime.get_block(self.reference_key(ref))
        except Exception:  # pylint: disable=broad-except
            # Deleted blocks and ids from another course raise whatever the runtime raises.
            return "missing"
        if block is None:
            return "missing"
        return None if getattr(block.scope_ids, "block_type", None) == block_type else "wrong_kind"

    def link_warning(self, field_name, ref, problem):
        """A sentence for staff about one broken link and what to do about it."""
        params = {"field": self._(self.fields[field_name].display_name), "ref": str(ref)}
        messages = {
            "missing": self._("%(field)s: the block %(ref)s is missing from the course or was deleted. "
                              "Pick another block in Studio, or clear this setting."),
            "wrong_kind": self._("%(field)s: the block %(ref)s is not the kind of block this setting needs. "
                                 "Pick another block in Studio."),
            "unreadable": self._("%(field)s: the block %(ref)s could not be read, so learners are told to ask "
                                 "the course team. Check that block's settings in Studio."),
            "inside": self._("%(field)s: the block %(ref)s is inside this gate, so learners cannot reach it "
                             "before the gate opens. Pick a block outside the gate."),
        }
        return messages[problem] % params

    # --- learner state ---------------------------------------------------------------------

    def shared_state(self, shape, field_name):
        """
        Like ``read_state``, for readers that do not change it (other blocks, views): migrated once
        per stored value and shared by every block that reads it during the request, so a skill
        check read by many gates and skills is checked once and not copied. Never modify the result.
        """
        if field_name in getattr(self, "_field_data_cache", {}):  # this instance read or changed it
            stored = getattr(self, field_name)
        else:  # as stored, without the copy XBlock keeps of a mutable field to notice in-place changes
            field, data = self.fields[field_name], self._field_data
            stored = field.from_json(data.get(self, field_name)) if data.has(self, field_name) else field.default
        memo = self.runtime.__dict__.setdefault("_personalized_path_states", {})
        key = (str(self.scope_ids.usage_id), self.scope_ids.user_id, shape.version)
        entry = memo.get(key)
        if entry is None or entry[0] is not stored:  # the stored value itself is the check: no stale reads
            if len(memo) >= SHARED_STATES:
                memo.pop(next(iter(memo)))
            entry = memo[key] = (stored, self.read_state(shape, stored, copy_current=False))
        return entry[1]

    def read_state(self, shape, stored, copy_current=True):
        """Stored learner state migrated into a copy; defaults (and a log line) when garbled."""
        state, problem = shape.read(stored, copy_current)
        if problem:
            log.warning("Ignoring unreadable learner state of %s (%s): %s",
                        self.scope_ids.usage_id, self.scope_ids.user_id, problem)
        return state

    # --- one learner's writes, one at a time ----------------------------------------------------

    def shared_cache(self):
        """
        The cache every worker process shares. The LMS's ``cache`` service wraps Django's default
        cache (memcached or Redis) but offers only get and set, and a lock needs an atomic add; so
        unless the service has add, delete and incr itself, use the Django cache it wraps.
        """
        service = self.runtime.service(self, "cache")
        if all(callable(getattr(service, name, None)) for name in ("add", "get", "set", "delete", "incr")):
            return service
        return django_cache

    def cache_key(self, kind, *parts):
        """A short key (memcached takes 250 bytes at most, and no spaces) for this block."""
        text = "|".join(str(part) for part in (self.scope_ids.usage_id, *parts))
        return f"personalized_path.{kind}.{hashlib.sha256(text.encode('utf-8')).hexdigest()}"

    def lock_for(self, username, usage_id=None):
        """
        The write lock of one learner's state in this block (or in ``usage_id``), not yet taken. A
        learner is named by username everywhere (their own requests and staff's exceptions alike):
        in the LMS ``scope_ids.user_id`` is the numeric id, which staff's tools never see.
        """
        text = f"{usage_id or self.scope_ids.usage_id}|{username}"
        key = f"personalized_path.lock.{hashlib.sha256(text.encode('utf-8')).hexdigest()}"
        return CacheLock(self.shared_cache(), key, wait=LOCK_WAIT_SECONDS, hold=LOCK_HOLD_SECONDS)

    def busy_conflict(self):
        return Conflict(self._("Another of your requests for this activity is still being saved. "
                               "Wait a moment and try again."), busy=True)

    @contextlib.contextmanager
    def learner_lock(self):
        """
        Hold this learner's lock on this block for a read-check-write, with the state read afresh.

        Every worker reads a learner's state before the handler runs (the LMS fills a
        FieldDataCache with the StudentModule rows when it loads the block; XBlock keeps each field
        it has read), so a check made on that copy can miss what a request of the same learner in
        another worker wrote meanwhile: two tabs' saves would both pass the revision check, or
        both of twelve submits would see attempts left. So, with the lock held:

        1. read the state again from storage: the platform's ``user_state`` service reads the
           StudentModule row itself (``get_state_as_dict``), and the workbench gets the same
           service over its own table. The read is current because handlers run outside a
           transaction (the LMS marks ``handle_xblock_callback`` ``non_atomic_requests``: each
           query commits on its own), and because of step 3 every earlier holder's write is
           committed before we get here;
        2. run the handler on that state;
        3. check that no stored learner field grew past FIELD_MAX_BYTES (else 400, nothing
           changed), make the class summary updates the handler asked for (count_in_class), and
           save before letting go, leaving nothing unsaved for the runtime's own save after the
           handler (it would write outside the lock).

        A runtime without the ``user_state`` service cannot read afresh. There a fingerprint of the
        state each holder saved, kept in the shared cache, shows whether our copy is older; if it
        is, the request gets 409 rather than overwriting (and the fingerprint is dropped, so a
        retry with a fresh copy passes). A lock that stays busy also gives 409, never a silent write.
        """
        lock = self.lock_for(self.learner_username())
        if not lock.acquire():
            raise self.busy_conflict()
        try:
            # A runtime that reads afresh needs no fingerprint, and its storage is its own: the LMS's
            # StudentModule rows are never written by a runtime without the service.
            fresh = self.reload_learner_state()
            fingerprint_key = None if fresh else self.cache_key("state", self.scope_ids.user_id)
            if not fresh:
                saved = lock.cache.get(fingerprint_key)
                if saved is not None and saved != self.state_fingerprint():
                    lock.cache.delete(fingerprint_key)
                    raise Conflict(self._("This activity was changed in another tab or window. "
                                          "Reload the page and try again."), stale=True)
            # Read afresh, the state this request starts from stays in storage until the save below:
            # refuse_oversize reads it again on the rare request that makes a field too large.
            before = None if fresh else self.stored_learner_fields()
            self.pending_counts = []
            try:
                yield
                self.refuse_oversize(before)
                self.save_counted(self.pending_counts)
            except BaseException:
                # A refused request writes nothing: neither here nor in the runtime's save after the handler.
                self.discard_learner_changes(before)
                raise
            else:
                self.save()
                if not fresh:
                    lock.cache.set(fingerprint_key, self.state_fingerprint(), SUMMARY_COPY_SECONDS)
            finally:
                self.pending_counts = None
        finally:
            lock.release()

    def write_outside_handler(self, write):
        """
        Run ``write`` (a function that reads the state and stores a change) under this learner's
        lock, for the writes a view makes: inside a handler the lock is already held; elsewhere it
        is taken, with the state read afresh. If another request of this learner holds it, nothing
        is written: that request writes its own, newer result.
        """
        if self.pending_counts is not None:  # a json_api handler of this request holds the lock
            write()
            return
        try:
            with self.learner_lock():
                write()
        except Conflict:
            log.info("%s: a view's write skipped while another request of the learner held the lock",
                     self.scope_ids.usage_id)

    def learner_username(self):
        """The current learner's username (the one identity every lock uses); the user id where there is none."""
        user = self.current_user()
        username = user.opt_attrs.get("edx-platform.username") if user else None
        return username or self.scope_ids.user_id

    def learner_state_fields(self):
        return [field for field in self.fields.values() if field.scope == Scope.user_state]

    def forget_learner_writes(self):
        """Nothing of this learner's fields is pending a save (their values stay as read)."""
        for field in self.learner_state_fields():
            self._dirty_fields.pop(field, None)

    def discard_learner_changes(self, before=None):
        """Every learner field back as ``before`` (``{name: JSON text}``; None: as storage holds it), unsaved."""
        if before is None:
            self.reload_learner_state()
        else:
            now = self.stored_learner_fields()
            for field in self.learner_state_fields():
                if before[field.name] is not None and now[field.name] != before[field.name]:
                    field.write_to(self, field.from_json(json.loads(before[field.name])))
        self.forget_learner_writes()

    def stored_learner_state(self, usage_id):
        """
        This learner's stored fields of block ``usage_id`` as storage holds them now, read through the
        platform's ``user_state`` service (the StudentModule row itself, not what the request
        preloaded); None when the runtime has no such service.
        """
        service = self.runtime.service(self, "user_state")
        user = self.current_user()
        username = user.opt_attrs.get("edx-platform.username") if user else None
        if service is None or not username:
            return None
        return service.get_state_as_dict(username, usage_id) or {}

    def reload_learner_state(self):
        """Replace this learner's fields with what storage holds now; False when the runtime cannot read it."""
        stored = self.stored_learner_state(self.scope_ids.usage_id)
        if stored is None:
            return False
        for field in self.learner_state_fields():
            if field.name in stored:
                try:
                    value = field.from_json(stored[field.name])
                except (TypeError, ValueError):
                    value = stored[field.name]  # garbled: the block's own read handles it
                field.write_to(self, value)
            elif field.is_set_on(self):
                # Not stored: forget our copy without a deletion, which storage would write at once.
                self._field_data_cache.pop(field.name, None)
                self._dirty_fields.pop(field, None)
                if field.is_set_on(self):
                    field.delete_from(self)
        self.forget_learner_writes()  # what storage holds needs no saving back
        return True

    def stored_learner_fields(self):
        """``{name: JSON text}`` of this learner's fields as they would be stored now."""
        stored = {}
        for field in self.learner_state_fields():
            try:
                stored[field.name] = json.dumps(field.to_json(field.read_from(self)), sort_keys=True)
            except (TypeError, ValueError):
                stored[field.name] = None  # garbled: the block's own read handles it
        return stored

    def state_fingerprint(self):
        """A digest of this learner's fields as stored, to tell whether a copy is current."""
        text = json.dumps(self.stored_learner_fields(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def refuse_oversize(self, before=None):
        """
        400, with every field put back as it was in ``before`` (``{name: JSON text}``; None: as
        storage holds it), when a field this request changed would be stored larger than
        FIELD_MAX_BYTES. Histories are trimmed oldest first to fit (core.state.keep_newest), so only
        a single entry that is too large on its own gets here.
        """
        now = self.stored_learner_fields()
        if not any(text is not None and len(text) > FIELD_MAX_BYTES for text in now.values()):
            return
        if before is None:
            self.reload_learner_state()
            before = self.stored_learner_fields()
            for field in self.learner_state_fields():  # this request's values again, until refused
                if now[field.name] is not None and now[field.name] != before[field.name]:
                    field.write_to(self, field.from_json(json.loads(now[field.name])))
        grown = [name for name, text in now.items()
                 if text != before[name] and text is not None and len(text) > FIELD_MAX_BYTES]
        if not grown:
            return
        for field in self.learner_state_fields():
            if now[field.name] != before[field.name] and before[field.name] is not None:
                field.write_to(self, field.from_json(json.loads(before[field.name])))
        raise PayloadError("", N_("This is more than this activity can keep for you. "
                                  "Shorten what you wrote, then try again."))

    # --- class-wide counts ------------------------------------------------------------------------

    def count_in_class(self, summary_field, before, after, apply):
        """
        Have the class summary ``summary_field`` (Scope.user_state_summary) count this learner's
        contribution ``after`` (small JSON, from the state this request writes) instead of what it
        counted for them before; made when the handler has succeeded, with the learner's own save
        (``save_counted``).

        ``apply(summary, old, new)`` returns the summary with contribution ``old`` replaced by
        ``new`` (pure, in core); ``before`` is the contribution of the state this request started
        from, taken as counted for learners whose state predates the record (or the last recount).
        """
        if self.pending_counts is None:  # not inside learner_lock: nothing else is pending
            self.save_counted([(summary_field, before, after, apply)])
        else:
            self.pending_counts.append((summary_field, before, after, apply))

    def save_counted(self, updates):
        """
        Save this learner's fields and the class summary ``updates`` together, or neither.

        A summary is one value shared by every learner, read by each worker when it loads the
        block, so each change is made under the summary's lock from its newest copy (``newest_summary``).
        ``counted_in_class`` records in the learner's own state what each summary counts for them, and
        it is saved in the same database transaction as the summaries (where both live in this Django
        database, as in the LMS and the workbench): a request that fails at any point leaves neither,
        so a count is never applied without the learner's write it stands for. A lock that stays busy
        for SUMMARY_LOCK_WAIT_SECONDS (its holder may have died: it expires by itself) only defers
        the count: the record keeps the old contribution and the learner's next write applies the
        whole difference; staff's recount (``recount_class``) rebuilds a summary from every learner.
        """
        if not updates:
            return
        record = dict(self.counted_in_class) if isinstance(self.counted_in_class, dict) else {}
        epochs = dict(record.get(COUNT_EPOCHS)) if isinstance(record.get(COUNT_EPOCHS), dict) else {}
        marks = dict(self.class_count_marks)
        copies, held = {}, []
        try:
            for summary_field, before, after, apply in updates:
                lock = self.summary_lock(summary_field)
                is_held = lock.acquire()
                if is_held:
                    held.append(lock)
                latest, mark = self.newest_summary(summary_field)
                counted = record.get(summary_field, before) if epochs.get(summary_field, 0) == mark["epoch"] \
                    else before
                if not is_held:
                    log.info("Class summary %s of %s busy: this learner's count waits for their next write",
                             summary_field, self.scope_ids.usage_id)
                elif counted != after:
                    field = self.fields[summary_field]
                    updated = apply(latest, counted, after)
                    field.write_to(self, updated)
                    mark = marks[summary_field] = {"serial": mark["serial"] + 1, "epoch": mark["epoch"]}
                    copies[summary_field] = dict(mark, value=updated)
                record[summary_field] = after if is_held else counted
                epochs[summary_field] = mark["epoch"]
            self.counted_in_class = dict(record, **{COUNT_EPOCHS: epochs})
            if copies:
                self.class_count_marks = marks
            with self.storage_transaction():
                self.save()
            self.keep_summary_copies(copies)
        except Exception:
            # Nothing of this request is written: not by the runtime's save after the handler either.
            self._dirty_fields.clear()
            raise
        finally:
            for lock in held:
                lock.release()

    def summary_lock(self, summary_field, hold=SUMMARY_LOCK_HOLD_SECONDS):
        return CacheLock(self.shared_cache(), self.cache_key("summary-lock", summary_field),
                         wait=SUMMARY_LOCK_WAIT_SECONDS, hold=hold)

    def newest_summary(self, summary_field):
        """
        ``(summary, {"serial", "epoch"})``: the copy the last writer left in the shared cache, unless
        the stored value this request loaded is as new (a cache may lose a write without a word, as
        Django's database cache does when its database fails).
        """
        field = self.fields[summary_field]
        loaded = self.class_count_marks.get(summary_field) or {"serial": 0, "epoch": 0}
        copy = self.shared_cache().get(self.cache_key("summary", summary_field))
        if SUMMARY_COPY_SHAPE.fits(copy) and (copy["epoch"], copy["serial"]) >= (loaded["epoch"], loaded["serial"]):
            return copy["value"], {"serial": copy["serial"], "epoch": copy["epoch"]}
        return field.to_json(field.read_from(self)), dict(loaded)

    def keep_summary_copies(self, copies):
        """After the save: each summary's newest copy for the next writer (see ``newest_summary``)."""
        for summary_field, copy in copies.items():
            self.shared_cache().set(self.cache_key("summary", summary_field), copy, SUMMARY_COPY_SECONDS)

    def storage_transaction(self):
        """
        One database transaction for a save, where the platform keeps learner state and class
        summaries in one database (the LMS, the workbench): the platform glue that the
        ``PERSONALIZED_PATH_SAVE_TRANSACTION`` setting names decides. None where it names nothing.
        """
        try:
            make_transaction = platform_function(SAVE_TRANSACTION_SETTING, DEFAULT_SAVE_TRANSACTION)
        except ImportError:
            make_transaction = None
        return make_transaction(self) if make_transaction else contextlib.nullcontext()

    def class_count_rules(self):
        """
        ``{summary field: (contribution, apply)}`` for each class summary this block keeps:
        ``contribution(stored)`` is what one learner's stored fields (``{name: JSON}``, as the
        user-state client returns them) add to it, ``apply`` as for ``count_in_class``. None here.
        """
        return {}

    def user_state_client(self):
        """
        The platform's user-state client (``XBlockUserStateClient``): the runtime's ``user_state_client``
        service where there is one (the workbench), else the client named by the Django setting (the
        LMS adapter in ``personalized_path.openedx``). PayloadError with a sentence where there is none.
        """
        client = self.runtime.service(self, "user_state_client")
        if client is not None:
            return client
        try:
            make_client = platform_function(USER_STATE_CLIENT_SETTING, DEFAULT_USER_STATE_CLIENT)
            if make_client is None:  # the setting emptied
                raise ImportError(USER_STATE_CLIENT_SETTING)
            return make_client()
        except ImportError as error:
            raise PayloadError("", N_("The class view cannot read learners' progress on this platform: its "
                                      "user-state client is not available. Tell your administrator.")) from error

    @json_api
    def recount_class(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Staff: rebuild this block's class counts from every learner's stored state, read through the
        platform's user-state client, each under its summary's lock. Learners' records of what was
        counted for them before are set aside by a new epoch: their next write starts from their state.
        """
        self.require_staff()
        only_keys(data, ())
        rules = self.class_count_rules()
        if not rules:
            raise JsonHandlerError(404, self._("This block keeps no class counts."))
        client = self.user_state_client()
        marks = dict(self.class_count_marks)
        locks = [self.summary_lock(name, hold=RECOUNT_HOLD_SECONDS) for name in rules]
        held = [lock for lock in locks if lock.acquire()]
        try:
            if len(held) < len(locks):
                raise Conflict(self._("The class counts are being updated. Try again in a moment."), busy=True)
            learners, summaries = 0, {name: {} for name in rules}
            for item in client.iter_all_for_block(self.scope_ids.usage_id):
                learners += 1
                for name, (contribution, apply) in rules.items():
                    summaries[name] = apply(summaries[name], None, contribution(item.state or {}))
            copies = {}
            for name, summary in summaries.items():
                loaded = self.newest_summary(name)[1]
                marks[name] = {"serial": loaded["serial"] + 1, "epoch": loaded["epoch"] + 1}
                copies[name] = dict(marks[name], value=summary)
                self.fields[name].write_to(self, summary)
            self.class_count_marks = marks
            with self.storage_transaction():
                self.force_save_fields(list(rules) + ["class_count_marks"])
            self.keep_summary_copies(copies)
        finally:
            for lock in held:
                lock.release()
        self.publish("class_recounted", {"learners": learners})
        return {"message": self.ngettext("Recounted from the records of %(count)s learner.",
                                         "Recounted from the records of %(count)s learners.", learners)
                % {"count": learners},
                "html": self.render_template({"summary": self.class_summary()}, "staff_summary.html")}

    def own_user_state(self):
        """This learner's stored fields, as the platform's user-state client returns a learner's row."""
        return {
            name: self.fields[name].to_json(getattr(self, name))
            for name in self.user_state_fields
            if self.fields[name].scope == Scope.user_state
        }

    def learner_summary(self):
        """For the learning plan: the current learner's state in plain terms (see ``summarize_state``)."""
        return self.summarize_state(self.own_user_state())

    def summarize_state(self, state):  # pylint: disable=unused-argument
        """A learner's stored state (``{field name: value}``) in the plain terms the learning plan reads."""
        return {}

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):  # pylint: disable=unused-argument
        """This learner's own state as JSON, for the mobile apps (GET)."""
        return json_response(self.own_user_state())

    # --- other blocks of the course ----------------------------------------------------------

    def course_blocks(self, block_types, limit=COURSE_WALK_LIMIT):
        """
        Usage ids of the blocks of ``block_types`` in this block's course, in course order: a
        depth-first walk from the top of the tree (the course, or the workbench scenario), visiting
        at most ``limit`` blocks so a huge course cannot stall a request. Whoever shows the blocks
        found loads them for the learner (``load_linked``), with the platform's access checks.
        """
        top = self
        for _level in range(20):
            parent = self.authored_block(top.parent)
            if parent is None:
                break
            top = parent
        found, stack, visited = [], [top.scope_ids.usage_id], 0
        while stack and visited < limit:
            usage_id = stack.pop()
            visited += 1
            kind = self.block_type_of(usage_id)
            if kind in LEAF_TYPES:  # its type is in its id: no need to load it
                if kind in block_types:
                    found.append(str(usage_id))
                continue
            block = self.authored_block(usage_id)
            if block is None:
                continue
            if block.scope_ids.block_type in block_types:
                found.append(str(block.scope_ids.usage_id))
            stack.extend(reversed(getattr(block, "children", None) or []))
        return found

    def authored_block(self, reference, reader=None):
        """
        The block as authored, for what needs nothing of a learner's: walks of the course's structure
        and the blocks handed to the LMS while it loads learner state (``declared_blocks``). Where the
        runtime hands blocks out so (the modulestore's ``load_item``), that; the LMS's ``get_block``
        would bind each block to the learner with an access check up its ancestors (a walk of a
        36-unit course took 270 ms so). Elsewhere as ``load_linked``.
        """
        return self._linked(reference, reader, getattr(self.runtime, "load_item", None) or self.runtime.get_block)

    def block_type_of(self, usage_id):
        """A block's type from its id alone (both the LMS's and the workbench's ids carry it), or None."""
        try:
            reader = self.runtime.id_reader
            return reader.get_block_type(reader.get_definition_id(usage_id))
        except Exception:  # pylint: disable=broad-except
            return None

    # --- workbench ---------------------------------------------------------------------------

    @classmethod
    def workbench_scenarios(cls):
        """Scenarios from ``scenarios/<asset_name>*.xml`` (titled by their first-line comment)."""
        folder = resources.files(__package__).joinpath("scenarios")
        scenarios = []
        for entry in sorted(folder.iterdir(), key=lambda item: item.name):
            if entry.name.startswith(cls.asset_name) and entry.name.endswith(".xml"):
                xml = entry.read_text(encoding="utf-8")
                title = xml.split("-->", 1)[0].replace("<!--", "").strip()
                scenarios.append((title, xml))
        return scenarios


class CreditWhenDoneMixin(XBlockMixin, ScorableXBlockMixin):
    """
    Optional grading for blocks that are done or not: weight 0 leaves the block ungraded;
    otherwise the learner earns full credit, worth ``weight`` points, once ``is_done()``.
    """

    weight = Float(
        display_name=N_("Problem weight"), default=0.0, scope=Scope.settings, values={"min": 0, "step": 0.1},
        help=N_("0 means not graded. Otherwise finishing this activity earns full credit, worth this many points."),
    )

    @property
    def has_score(self):
        return self.weight > 0

    def is_done(self):
        raise NotImplementedError

    def award_credit(self):
        """Publish full credit, when graded (call once, when the learner first finishes)."""
        if self.has_score:
            self._publish_grade(Score(1.0, 1.0))

    def has_submitted_answer(self):
        return self.is_done()

    def get_score(self):
        return Score(1.0 if self.is_done() else 0.0, 1.0)

    def set_score(self, score):
        """Credit is derived from the learner's state, so there is nothing else to store."""

    def calculate_score(self):
        return self.get_score()

    def max_score(self):
        return 1.0

    @staticmethod
    def weight_problems(data):
        if isinstance(data.weight, bool) or not isinstance(data.weight, (int, float)) or data.weight < 0:
            return [PayloadError("weight", N_("The weight cannot be negative."))]
        return []
