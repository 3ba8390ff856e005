"""
Skills from the platform's taxonomies (``openedx_tagging``, from the ``openedx-learning`` package).
Blocks name this class by the Django setting ``PERSONALIZED_PATH_SKILL_TAGS`` (plugin_settings sets it
where the tagging app is installed), so they never import it.

One source of truth: a block's own fields say which skills it uses (they travel in its OLX and key
its learners' evidence). Its content tags mirror them: each Studio save of our editor adds the tags of
the skills it gained and removes those of the skills it lost, leaving other tags alone. A tag removed
in Studio's drawer is written back into the fields (tag_sync.py); the mirroring here is not taken for it.

In the LMS and Studio the platform's ``content_tagging`` app decides which taxonomies a course may use
(by organization) and announces tag changes; elsewhere (the workbench) every enabled taxonomy is used.
"""
import contextlib
import threading
import uuid

from django.core.cache import cache
from django.db import transaction

try:  # openedx-learning (Teak, Ulmo)
    from openedx_tagging.core.tagging import api as tagging
    from openedx_tagging.core.tagging.import_export import api as import_export
    from openedx_tagging.core.tagging.import_export.parsers import ParserFormat
    from openedx_tagging.core.tagging.models import Tag
except ImportError:  # openedx-core (master), where the app moved up to openedx_tagging
    from openedx_tagging import api as tagging
    from openedx_tagging.import_export import api as import_export
    from openedx_tagging.import_export.parsers import ParserFormat
    from openedx_tagging.models import Tag

from personalized_path.core import skills as core
from personalized_path.openedx.storage import cache_write

MAX_FRAMEWORK_TAGS = 2000
# A course's framework is read on learners' views (labels, roll-up), so it is kept in the platform's
# shared cache under a version that every change of a tag or taxonomy renews; the timeout is a backstop
# for a Studio and an LMS that do not share their cache.
FRAMEWORK_CACHE_SECONDS = 600
_FRAMEWORK_VERSION = "personalized_path.skill_framework.version"
_writing = threading.local()


@contextlib.contextmanager
def mirroring():
    """While the plugin writes a block's skills as its tags: the tag changes it makes are not an author's."""
    before, _writing.active = getattr(_writing, "active", False), True
    try:
        yield
    finally:
        _writing.active = before


def is_mirroring():
    return getattr(_writing, "active", False)


def renew_frameworks():
    """Every course's cached framework is old (a tag or taxonomy changed: tag_sync.framework_changed)."""
    # Where the cache fails, the cached frameworks age out after FRAMEWORK_CACHE_SECONDS.
    cache_write(lambda: cache.set(_FRAMEWORK_VERSION, uuid.uuid4().hex, None),
                "Cached skill frameworks could not be renewed")


def _content_tagging():
    """The platform's content_tagging API, or None outside the LMS and Studio."""
    try:
        # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.content_tagging import api
    except ImportError:
        return None
    return api


class PlatformSkillTags:
    """The skill taxonomies one course may use, their tags as skills, and blocks' skills as content tags."""

    def __init__(self, course_id):
        self.course_id = str(course_id)

    def taxonomies(self):
        """The enabled taxonomies of fixed tags this course may use, by name."""
        platform = _content_tagging()
        org = self.course_id.split(":", 1)[-1].split("+", 1)[0] if ":" in self.course_id else None
        found = platform.get_taxonomies_for_org(org_short_name=org) if platform and org else \
            tagging.get_taxonomies(enabled=True)
        return [taxonomy.cast() for taxonomy in found
                if not taxonomy.allow_free_text and not taxonomy.cast().system_defined]

    def framework_tags(self):
        """The course's framework (``read_framework_tags``), from the shared cache while no tag or taxonomy changed."""
        version = cache.get(_FRAMEWORK_VERSION)
        if version is None:
            version = uuid.uuid4().hex
            cache.add(_FRAMEWORK_VERSION, version, None)
            version = cache.get(_FRAMEWORK_VERSION, version)
        key = f"personalized_path.skill_framework.{version}.{self.course_id}"
        rows = cache.get(key)
        if rows is None:
            rows = self.read_framework_tags()
            cache.set(key, rows, FRAMEWORK_CACHE_SECONDS)
        return rows

    def read_framework_tags(self):
        """
        Every tag of those taxonomies in tree order, as ``{"id", "value", "parent_id", "taxonomy"}``
        (``id`` the external id; a tag without one gets its slug as external id once, so a later
        rename keeps it).
        """
        rows = []
        for taxonomy in self.taxonomies():
            tags = list(tagging.get_tags(taxonomy)[:MAX_FRAMEWORK_TAGS - len(rows)])
            external = {tag["value"]: tag["external_id"] or self._give_external_id(taxonomy, tag["value"])
                        for tag in tags}
            rows += [{"id": external[tag["value"]], "value": tag["value"], "taxonomy": taxonomy.name,
                      "parent_id": external.get(tag["parent_value"], "") if tag["parent_value"] else ""}
                     for tag in tags]
        return rows

    @staticmethod
    def _give_external_id(taxonomy, value):
        slug = core.skill_slug(value)
        if slug and not Tag.objects.filter(taxonomy=taxonomy, external_id=slug).exists():
            Tag.objects.filter(taxonomy=taxonomy, value=value, external_id=None).update(external_id=slug)
            return slug
        return value

    def tag_block(self, object_id, skills, previous=()):
        """
        Mirror a block's skills as its content tags: add the tags of ``skills``, remove those of
        ``previous`` skills it no longer has; tags of other taxonomies or added by hand stay.
        """
        wanted, dropped = set(skills), set(previous) - set(skills)
        platform = _content_tagging()
        rows = self.framework_tags()
        with transaction.atomic(), mirroring():
            for taxonomy in self.taxonomies():
                slugs = {core.tag_slug(row["id"], row["value"]): row["value"]
                         for row in rows if row["taxonomy"] == taxonomy.name}
                current = list(tagging.get_object_tags(object_id, taxonomy_id=taxonomy.id))
                values = [tag.value for tag in current if self.slug_of(tag) not in dropped]
                values += [slugs[slug] for slug in sorted(wanted) if slug in slugs and slugs[slug] not in values]
                if values != [tag.value for tag in current]:
                    (platform or tagging).tag_object(object_id, taxonomy, values)

    def block_skills(self, object_id):
        """The skill slugs a block's content tags name, in taxonomy order."""
        found = []
        for taxonomy in self.taxonomies():
            for tag in tagging.get_object_tags(object_id, taxonomy_id=taxonomy.id):
                slug = self.slug_of(tag)
                if slug and slug not in found:
                    found.append(slug)
        return found

    @staticmethod
    def slug_of(object_tag):
        """The skill slug of one content tag (its tag's external id, else its value)."""
        return core.tag_slug(object_tag.tag.external_id if object_tag.tag else None, object_tag.value)


def import_framework(name, file, file_format="json", description=""):
    """
    A competency framework file of the platform's own taxonomy import format (JSON or CSV: ``id``,
    ``value``, ``parent_id``) as a taxonomy named ``name``, created or updated. Returns the taxonomy and
    the import log; raises ValueError when the file is refused.
    """
    taxonomy = next((found for found in tagging.get_taxonomies(enabled=None) if found.name == name), None) or \
        tagging.create_taxonomy(name, description=description, allow_multiple=True, allow_free_text=False)
    done, task, _plan = import_export.import_tags(taxonomy, file, ParserFormat(f".{file_format}"))
    if not done:
        raise ValueError(task.log)
    platform = _content_tagging()
    if platform and not taxonomy.taxonomyorg_set.exists():
        platform.set_taxonomy_orgs(taxonomy, all_orgs=True)
    return taxonomy, task.log
