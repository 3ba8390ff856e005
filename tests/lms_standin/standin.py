"""
A stand-in for the Open edX LMS (the "LMS tier" of the tests), built from XBlock's own runtime
classes. It is not the platform; it reproduces the platform behaviours our blocks depend on and
that the workbench hides. tests/README.md says what each part models and where that behaviour
lives in edx-platform.

* Real keys: a course is a ``CourseLocator``; every block has a ``BlockUsageLocator``
  (``block-v1:...``) as its usage id, and reference fields hold ``UsageKey`` objects.
* Inherited settings: every block class is mixed with ``PlatformMixin``, which carries the
  platform's inheritable setting names; an unset field of one of those names takes the value of
  the nearest ancestor that sets it.
* Learner state as FieldDataCache loads it: one ``request`` preloads learner state for the
  requested block, its descendants and, recursively, whatever each of them returns from
  ``get_required_block_descriptors()``. Every other block's learner state reads as empty.
* Binding: a learner's runtime binds a block on every ``get_block`` (recorded in ``bindings``: in the
  LMS each one checks access to the block and its ancestors), while ``load_item`` hands out the block
  as authored and the field-data service honours ``_bound_field_data``, as split's runtime does.
* Course export and import: references mapped into the exporting course's XML key, blocks
  written to OLX with ``url_name``; import parses OLX with ``url_name`` as block id, turns
  reference text into usage keys, then maps references from the source course into the new one.
"""
import contextlib
import uuid
from io import BytesIO

from django.core.cache.backends.locmem import LocMemCache
from lxml import etree
from opaque_keys.edx.keys import UsageKey
from opaque_keys.edx.locator import CourseLocator
from web_fragments.fragment import Fragment
from xblock.core import XBlock, XBlockMixin
from xblock.exceptions import InvalidScopeError, NoSuchUsage
from xblock.fields import (Boolean, DateTime, Dict, Float, Integer, List, Reference, ReferenceList, Scope, ScopeIds,
                           String)
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager

from personalized_path.core import gate_access
from personalized_path.openedx import gate_sync
from personalized_path.openedx.partitions import GATE_CATEGORY, decided_group
from tests.harness import (DictUserStateService, KvsUserStateClient, MovableClock, RecordingRuntime,
                           StaffAwareUserService, call)

COURSE = CourseLocator("PersonalizedX", "PP101", "2026_T1")
LEARNER_SCOPES = (Scope.user_state, Scope.user_state_summary)


class PlatformMixin(XBlockMixin):
    """
    What the LMS mixes into every block class that our blocks can collide with: the settings of
    InheritanceMixin (xmodule/modulestore/inheritance.py), with their names, types and defaults,
    and XModuleMixin's empty ``get_required_block_descriptors`` (xmodule/x_module.py).
    """

    graded = Boolean(default=False, scope=Scope.settings)
    start = DateTime(default=None, scope=Scope.settings)
    due = DateTime(default=None, scope=Scope.settings)
    relative_weeks_due = Integer(default=None, scope=Scope.settings)
    visible_to_staff_only = Boolean(default=False, scope=Scope.settings)
    course_edit_method = String(default="Studio", scope=Scope.settings)
    giturl = String(default=None, scope=Scope.settings)
    xqa_key = String(default=None, scope=Scope.settings)
    graceperiod = String(default=None, scope=Scope.settings)
    group_access = Dict(default={}, scope=Scope.settings)
    showanswer = String(default="finished", scope=Scope.settings)
    show_correctness = String(default="always", scope=Scope.settings)
    rerandomize = String(default="never", scope=Scope.settings)
    days_early_for_beta = Float(default=None, scope=Scope.settings)
    static_asset_path = String(default="", scope=Scope.settings)
    use_latex_compiler = Boolean(default=False, scope=Scope.settings)
    max_attempts = Integer(default=None, scope=Scope.settings)
    matlab_api_key = String(default=None, scope=Scope.settings)
    user_partitions = List(default=[], scope=Scope.settings)
    video_speed_optimizations = Boolean(default=True, scope=Scope.settings)
    video_auto_advance = Boolean(default=False, scope=Scope.settings)
    video_bumper = Dict(default={}, scope=Scope.settings)
    show_reset_button = Boolean(default=False, scope=Scope.settings)
    edxnotes = Boolean(default=False, scope=Scope.settings)
    edxnotes_visibility = Boolean(default=True, scope=Scope.settings)
    in_entrance_exam = Boolean(default=False, scope=Scope.settings)
    self_paced = Boolean(default=False, scope=Scope.settings)
    hide_from_toc = Boolean(default=False, scope=Scope.settings)

    def get_required_block_descriptors(self):
        """Blocks that declare nothing need nothing beyond their subtree."""
        return []

    @property
    def location(self):
        """XModuleMixin.location: the usage key."""
        return self.scope_ids.usage_id


INHERITABLE = frozenset(name for name in PlatformMixin.fields if name not in ("parent", "children"))


class CourseTreeBlock(XBlock):
    """The platform's course, chapter, sequential and vertical: containers rendering their children."""

    has_children = True
    display_name = String(default="", scope=Scope.settings)

    def student_view(self, context=None):
        fragment = Fragment()
        for child_id in self.children:
            child = self.runtime.get_block(child_id)
            rendered = self.runtime.render_child(child, "student_view", context or {})
            fragment.add_fragment_resources(rendered)
            fragment.add_content(f'<div data-usage-id="{child_id}">{rendered.content}</div>')
        return fragment


STRUCTURE = ("course", "chapter", "sequential", "vertical")


class InheritingFieldData(KvsFieldData):
    """
    Field data with the platform's inheritance: the default of an inheritable setting is the value
    of the nearest ancestor on which that setting is set (InheritingFieldData.default).
    """

    def default(self, block, name):
        if name in INHERITABLE:
            field = block.fields[name]
            ancestor = block.get_parent()
            while ancestor is not None:
                if field.is_set_on(ancestor):
                    return field.read_json(ancestor)
                ancestor = ancestor.get_parent()
        return super().default(block, name)


class ContentFieldData(InheritingFieldData):
    """
    The modulestore's view of a block (SplitMongoKVS): content and settings; learner state is
    never set there, and reading it is an error.
    """

    def get(self, block, name):
        if block.fields[name].scope in LEARNER_SCOPES:
            raise InvalidScopeError(f"{name} of {block.scope_ids.usage_id} is learner state", LEARNER_SCOPES)
        return super().get(block, name)

    def has(self, block, name):
        return block.fields[name].scope not in LEARNER_SCOPES and super().has(block, name)


class FieldDataCacheStandIn(InheritingFieldData):
    """
    Learner state the way FieldDataCache serves it during one request: readable only for the
    blocks preloaded before rendering (and for fields written during the request, which
    UserStateCache.set_many adds to its cache); any other block's learner state is absent, so its
    fields read as their defaults. Writes always go through, as they do in the platform.
    """

    def __init__(self, kvs, preloaded, writes=None):
        super().__init__(kvs)
        self.preloaded = frozenset(str(key) for key in preloaded)
        self.written = set()
        self.writes = writes if writes is not None else []

    def _hidden(self, block, name):
        usage = str(block.scope_ids.usage_id)
        return (block.fields[name].scope in LEARNER_SCOPES and usage not in self.preloaded
                and (usage, name) not in self.written)

    def get(self, block, name):
        if self._hidden(block, name):
            raise KeyError(name)
        return super().get(block, name)

    def has(self, block, name):
        return not self._hidden(block, name) and super().has(block, name)

    def set_many(self, block, update_dict):
        """Each save of learner state is a StudentModule write (a new ``modified``), even of the same values."""
        super().set_many(block, update_dict)
        self.written.update((str(block.scope_ids.usage_id), name) for name in update_dict)
        self.writes.append((block.scope_ids.usage_id, sorted(update_dict)))


class CourseIds(MemoryIdManager):
    """
    Ids as the platform's XML import gives them (modulestore/xml.py): the definition id is the
    usage key ``course.make_usage_key(type, url_name)``, and the usage id is that same key.
    """

    def __init__(self, course_key):
        super().__init__()
        self.course_key = course_key

    def create_definition(self, block_type, slug=None):
        return self.course_key.make_usage_key(block_type, slug or uuid.uuid4().hex)

    def create_usage(self, def_id):
        return def_id

    def get_definition_id(self, usage_id):
        return usage_id

    def get_block_type(self, def_id):
        return def_id.block_type


class StandInRuntime(RecordingRuntime):
    """TestRuntime with the platform's mixins, the course tree's block types and real usage keys."""

    def __init__(self, course, user_id, staff, field_data, keep_instances=False):
        ids = course.user_ids if not keep_instances else None
        super().__init__(course, ids.id_of(user_id) if ids else user_id, staff, field_data=field_data,
                         mixins=(PlatformMixin,))
        self.instances = {} if keep_instances else None
        self.staff = staff
        if ids:  # as in the LMS: scope ids carry the numeric user id, the services know the username
            self._services["user"] = StaffAwareUserService(user_id, staff)
            self._services["user_state"] = NamedUserStateService(course.kvs, ids)

    def get_block(self, usage_id, for_parent=None):
        """
        Blocks that are not in the course (deleted, or of another course) are not found, as in the
        modulestore; a content runtime hands out one instance per block, as the modulestore's
        runtime does while a whole course is loaded (export relies on it). A learner's runtime binds
        the block to the learner, as the LMS's ``get_block_for_descriptor`` does on every call (with
        an access check on the block and its ancestors): ``bindings`` records each one.
        """
        if usage_id not in self.env.blocks:
            raise NoSuchUsage(repr(usage_id))
        if self.instances is None:
            if not self.env.deciding:  # the platform's partition decides on the gate as authored (learner_gate)
                self.env.bindings.append(usage_id)
            if not self.staff:
                self.env.check_access(usage_id, self.user_id)
            return super().get_block(usage_id, for_parent)
        if usage_id not in self.instances:
            self.instances[usage_id] = super().get_block(usage_id, for_parent)
        return self.instances[usage_id]

    def load_item(self, usage_id, for_parent=None):
        """
        The block as the modulestore holds it, bound to no learner (ModuleStoreRuntime.load_item, which
        the LMS's ``get_block`` calls before binding): it reads authored fields only.
        """
        if usage_id not in self.env.blocks:
            raise NoSuchUsage(repr(usage_id))
        def_id = self.id_reader.get_definition_id(usage_id)
        block_type = self.id_reader.get_block_type(def_id)
        return self.construct_xblock(block_type, ScopeIds(None, block_type, def_id, usage_id), for_parent=for_parent)

    def service(self, block, service_name):
        """
        The field-data service as split's runtime serves it (CachingDescriptorSystem.service): a block
        bound the platform's way (``bind_for_student`` sets ``_bound_field_data``) reads that; an
        unbound block, and any block's ``field-data-unbound``, read what the modulestore holds.
        """
        if service_name == "field-data-unbound" or (service_name == "field-data" and block.scope_ids.user_id is None):
            return self.env.content_data
        if service_name == "field-data" and hasattr(block, "_bound_field_data"):
            return block._bound_field_data  # pylint: disable=protected-access
        return super().service(block, service_name)

    def load_block_type(self, block_type):
        return CourseTreeBlock if block_type in STRUCTURE else super().load_block_type(block_type)

    def add_block_as_child_node(self, block, node):
        """Export: each child keeps its block id as ``url_name`` (ModuleStoreRuntime does the same)."""
        child = etree.SubElement(node, "unknown")
        child.set("url_name", block.scope_ids.usage_id.block_id)
        block.add_xml_to_node(child)

    def _usage_id_from_node(self, node, parent_id):
        """
        Import as the platform's ImportSystem.xblock_from_node does: ``url_name`` becomes the block
        id, and reference fields given as text become usage keys in the course being imported.
        """
        block_type = node.tag
        node.attrib.pop("xblock-family", None)
        usage_id = self.id_generator.create_usage(self.id_generator.create_definition(block_type, node.get("url_name")))
        node.attrib.pop("url_name", None)
        block_class = self.mixologist.mix(self.load_block_type(block_type))
        block = block_class.parse_xml(node, self, ScopeIds(None, block_type, usage_id, usage_id))
        map_references(block, lambda key: key.map_into_course(self.id_generator.course_key), parse=True)
        block.parent = parent_id
        block.save()
        self.env.blocks.add(usage_id)
        return usage_id


def map_references(block, mapping, parse=False):
    """
    Rewrite every set Reference/ReferenceList field of ``block`` (not children) with ``mapping``,
    as the platform's importer and exporter do; with ``parse``, text is read as a usage key first.
    """
    def convert(value):
        return mapping(UsageKey.from_string(value) if parse and isinstance(value, str) else value)
    for name, field in block.fields.items():
        if name == "children" or not isinstance(field, (Reference, ReferenceList)) or not field.is_set_on(block):
            continue
        value = field.read_from(block)
        if isinstance(field, Reference) and value is not None:
            field.write_to(block, convert(value))
        elif isinstance(field, ReferenceList):
            field.write_to(block, [convert(item) for item in value])


class StandInCourse:
    """
    One course in the LMS stand-in: content and every learner's state, plus per-request
    runtimes that load learner state the way the LMS does.
    """

    def __init__(self, course_key=COURSE):
        self.course_key = course_key
        self.kvs = DictKeyValueStore()
        self.ids = CourseIds(course_key)
        self.events = []
        self.clock = MovableClock()
        self.time_zones = {}  # user -> the time zone preference the platform's user service reports
        # The LMS's shared cache (memcached or Redis) for the blocks' locks and summary copies.
        self.cache = LocMemCache(f"pp-lms-standin-{uuid.uuid4().hex}", {})
        self.blocks = set()
        self.root = None
        self.content_data = ContentFieldData(self.kvs)
        self.bindings = []
        self.writes = []  # learner-state writes: (usage key, field names)
        self.user_ids = None  # UserIds: usernames for services, numeric ids in scope ids, as in the LMS
        self.user_states = None
        self.deciding = False

    # --- content (what the modulestore holds) -----------------------------------------------------

    def key(self, block_type, block_id):
        """The usage key of a block of this course."""
        return self.course_key.make_usage_key(block_type, block_id)

    def content_runtime(self):
        return StandInRuntime(self, "studio", True, self.content_data, keep_instances=True)

    def content(self, usage):
        """A block as the modulestore hands it out (no learner): what the preloading walk sees."""
        return self.content_runtime().get_block(usage)

    def load(self, olx):
        """Import course OLX into this course (the import publishes it); answer the root's usage key."""
        self.root = self.content_runtime().parse_xml_string(olx)
        self.course_published()
        return self.root

    def use_lms_user_ids(self):
        """Numeric user ids in scope ids and StudentModule, usernames in services, as in the LMS."""
        self.user_ids = UserIds()
        self.user_states = NamedUserStateClient(self.kvs, self.user_ids)
        return self

    def course_published(self):
        """
        What the plugin's receiver of the modulestore's ``course_published`` does (gate_sync): the gate
        children's ``group_access``, written to the content. Answers how many blocks it wrote.
        """
        return gate_sync.sync_course(StandInStore(self), self.course_key, "course_published")

    def check_access(self, usage, user):
        """
        The LMS's access check on a learner's ``get_block`` (``has_access`` in ``get_block_for_descriptor``),
        for the gate partitions: every gate partition named in the block's or an ancestor's
        ``group_access`` asks the scheme (``decided_group`` on the gate bound for deciding, with
        its and its sources' learner state preloaded, no access check); a partition with no gate
        denies. Denied: AccessDenied, which the LMS answers with 404.
        """
        if self.deciding:
            return
        gates = {gate_access.partition_id(key.block_id): key for key in self.blocks if key.block_type == GATE_CATEGORY}
        block = self.content(usage)
        while block is not None:
            for partition, allowed in gate_access.normalized(block.group_access).items():
                if not gate_access.is_gate_partition_id(partition):
                    continue
                if partition not in gates or self.decided_group(gates[partition], user) not in allowed:
                    raise AccessDenied(usage)
            block = block.get_parent()

    def decided_group(self, gate_usage, user):
        self.deciding = True
        try:
            name = self.user_ids.name_of(user) if self.user_ids else user
            gate = self.block(gate_usage, name)
            return decided_group(gate, gate_access.route_groups(gate.routes))
        finally:
            self.deciding = False

    # --- one learner's request --------------------------------------------------------------------

    def preloaded(self, usage):
        """
        The blocks whose learner state the LMS loads for a request on ``usage``
        (FieldDataCache.add_block_descendents with no depth limit, as for handlers and the unit
        render): the block, its children and each block's required blocks, recursively.
        """
        found = []

        def walk(block):
            found.append(block.scope_ids.usage_id)
            children = block.get_children() if block.has_children else []
            for child in children + block.get_required_block_descriptors():
                walk(child)
        walk(self.content(usage))
        return found

    def block(self, usage, user="learner", staff=False):
        """``usage`` bound to ``user`` as in one LMS request for it (learner state preloaded first)."""
        field_data = FieldDataCacheStandIn(self.kvs, self.preloaded(usage), self.writes)
        return StandInRuntime(self, user, staff, field_data).get_block(usage)

    def render(self, usage, user="learner", staff=False):
        """The HTML of ``usage`` (a unit, usually) as its own request renders it for ``user``."""
        block = self.block(usage, user, staff)
        return block.runtime.render(block, "student_view").content

    def call(self, usage, handler, payload=None, user="learner", staff=False, method="POST"):
        """A handler request on ``usage`` for ``user``: ``(status, json)``; 404 where access is denied."""
        try:
            block = self.block(usage, user, staff)
        except AccessDenied:
            return 404, None
        return call(block, handler, payload, method=method)

    def events_named(self, suffix):
        return [event for event in self.events if event["name"].endswith(suffix)]

    # --- export and import ------------------------------------------------------------------------

    def xml_course_key(self):
        """The key export maps references into (CourseExportManager.get_key: a deprecated locator)."""
        return CourseLocator(self.course_key.org, self.course_key.course, self.course_key.run, deprecated=True)

    def export_olx(self):
        """
        The course as OLX, as CourseExportManager.export writes it: references mapped into the XML
        course key in memory (adapt_references), then each block's own ``add_xml_to_node``.
        """
        runtime = self.content_runtime()
        xml_key = self.xml_course_key()
        pending = [runtime.get_block(self.root)]
        course = pending[0]
        while pending:
            block = pending.pop()
            map_references(block, lambda key: key.map_into_course(xml_key))
            pending.extend(block.get_children() if block.has_children else [])
        root = etree.Element("course")
        root.set("url_name", self.course_key.run)
        course.add_xml_to_node(root)
        root.set("org", self.course_key.org)
        root.set("course", self.course_key.course)
        return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)

    def import_from(self, olx):
        """
        Fill this (empty) course from exported OLX, as import_course_from_xml does: parse it in the
        OLX's own course, then copy each block into this course with references into the source
        course mapped into this one (_update_and_import_block).
        """
        node = etree.parse(BytesIO(olx)).getroot()
        org, number = node.attrib.pop("org"), node.attrib.pop("course")
        source = StandInCourse(CourseLocator(org, number, node.get("url_name"), deprecated=True))
        source.load(etree.tostring(node))
        runtime = self.content_runtime()
        for usage in source.preloaded_tree():
            original = source.content(usage)
            new_usage = usage.map_into_course(self.course_key)
            copy = runtime.construct_xblock_from_class(
                type(original), ScopeIds(None, usage.block_type, new_usage, new_usage))
            for name, field in original.fields.items():
                if field.scope != Scope.parent and field.is_set_on(original):
                    field.write_to(copy, field.read_from(original))
            map_references(copy, lambda key: key.map_into_course(self.course_key)
                           if key.course_key == source.course_key else key)
            if original.has_children:
                copy.children = [child.map_into_course(self.course_key) for child in original.children]
            copy.parent = original.parent.map_into_course(self.course_key) if original.parent else None
            copy.save()
            self.blocks.add(new_usage)
        self.root = source.root.map_into_course(self.course_key)
        self.course_published()
        return self

    def preloaded_tree(self):
        """Every block of the course, parents before children."""
        found, pending = [], [self.root]
        while pending:
            usage = pending.pop(0)
            found.append(usage)
            block = self.content(usage)
            pending.extend(block.children if block.has_children else [])
        return found


def learner_may_see(reader, block):
    """
    The LMS's load check as the stand-in models it (``check_access``), for what a block shows of a
    linked block (``PERSONALIZED_PATH_SHOWN_CHECK``, which names openedx/linked.py in the LMS): binds nothing.
    """
    runtime = reader.runtime
    try:
        if not runtime.staff:
            runtime.env.check_access(block.scope_ids.usage_id, runtime.user_id)
    except AccessDenied:
        return False
    return True


class AccessDenied(Exception):
    """The LMS refused the learner this block (``get_block_by_usage_id`` raises Http404)."""


class StandInStore:
    """
    The modulestore calls the gate sync makes, over the stand-in's content (one branch: nothing is
    ever unpublished here): split's ``get_items`` matching block type, block ids and stored settings
    (a callable tests the stored value; unset fields never match), ``update_item`` and ``publish``.
    """

    def __init__(self, course):
        self.course = course
        self.runtime = course.content_runtime()

    @contextlib.contextmanager
    def bulk_operations(self, course_key):  # pylint: disable=unused-argument
        yield

    @contextlib.contextmanager
    def branch_setting(self, setting, course_key):  # pylint: disable=unused-argument
        yield

    def get_items(self, course_key, qualifiers=None, settings=None):  # pylint: disable=unused-argument
        qualifiers, settings, found = qualifiers or {}, settings or {}, []
        for usage in sorted(self.course.blocks, key=str):
            if "category" in qualifiers and usage.block_type != qualifiers["category"]:
                continue
            if "name" in qualifiers and usage.block_id not in qualifiers["name"]:
                continue
            block = self.runtime.get_block(usage)
            if all(block.fields[name].is_set_on(block) and (
                    test(block.fields[name].read_json(block)) if callable(test)
                    else block.fields[name].read_json(block) == test) for name, test in settings.items()):
                found.append(block)
        return found

    def has_changes(self, block):  # pylint: disable=unused-argument
        return False

    def update_item(self, block, user_id):  # pylint: disable=unused-argument
        block.save()

    def publish(self, usage, user_id):
        pass


class UserIds:
    """Usernames and the numeric ids the LMS keys learner state by."""

    def __init__(self):
        self.ids = {}

    def id_of(self, username):
        return self.ids.setdefault(username, 1000 + len(self.ids))

    def name_of(self, user_id):
        return next(name for name, number in self.ids.items() if number == user_id)


class NamedUserStateService(DictUserStateService):
    """The LMS's ``user_state`` service: by username, over state stored by user id."""

    def __init__(self, kvs, ids):
        super().__init__(kvs)
        self.user_ids = ids

    def get_state_as_dict(self, username_or_email, block_id):
        return super().get_state_as_dict(self.user_ids.id_of(username_or_email), block_id)


class NamedUserStateClient(KvsUserStateClient):
    """DjangoXBlockUserStateClient: by username, over state stored by user id."""

    def __init__(self, kvs, ids):
        super().__init__(kvs)
        self.user_ids = ids

    def _by_learner(self, block_key=None, username=None):
        found = super()._by_learner(block_key, None if username is None else self.user_ids.id_of(username))
        return {(self.user_ids.name_of(user), block): state for (user, block), state in found.items()}

    def set_many(self, username, block_keys_to_state, scope=Scope.user_state):
        super().set_many(self.user_ids.id_of(username), block_keys_to_state, scope)
