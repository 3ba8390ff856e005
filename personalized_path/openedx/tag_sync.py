"""
The block's fields are the one source of truth for its skills; its content tags mirror them, and
Studio's tag drawer edits them through the tag-change event.

Our blocks' skills as their content tags whichever way a course arrives: an import, a re-run, the REST
API or a script creates blocks without our editor's save, which is what mirrors skills as tags in
Studio. On the modulestore's ``course_published`` each block's skills from the course's skill
taxonomies are added to its content tags; none are removed here (only the editor knows which skills
an author dropped), so a second pass changes nothing.

A framework tag an author removes in Studio's tag drawer is taken out of the block's draft: the
content tags deleted (``post_delete`` of ``ObjectTag``) are noted, and on the drawer's
``CONTENT_OBJECT_ASSOCIATIONS_CHANGED`` the noted skills the object no longer has are dropped where the
author chose them. Only deletions are noted, so a block whose skills were never mirrored (a taxonomy
enabled after it was written) loses nothing when another of its tags changes; the plugin's own
mirroring is not noted. A tag added in the drawer is left as a tag: it does not say which question
or condition it belongs to.
"""
import logging
import threading

from django.db import transaction

from personalized_path.platform_glue import AUTHORED_BLOCKS_SETTING, DEFAULT_AUTHORED_BLOCKS, platform_function

log = logging.getLogger(__name__)
_removed = threading.local()  # {object id: skill slugs whose content tags were deleted}, until the event

SKILL_BLOCK_TYPES = ("personalized_self_assessment", "personalized_skill_check", "personalized_mastery_gate",
                     "personalized_choice_board")


def tag_course_blocks(store, course_key):
    """Add each of the course's blocks' skills to its content tags; answers how many blocks were read."""
    # pylint: disable=import-outside-toplevel
    from django.conf import settings
    from django.utils.module_loading import import_string

    from personalized_path.openedx.settings import SKILL_TAGS_SETTING
    path = getattr(settings, SKILL_TAGS_SETTING, None)
    if not path:
        return 0
    glue = import_string(path)(course_key.for_branch(None))
    if not glue.taxonomies():
        return 0
    read = 0
    for category in SKILL_BLOCK_TYPES:
        for block in store.get_items(course_key, qualifiers={"category": category}):
            skills = block.skills_used() if hasattr(block, "skills_used") else []
            if skills:
                glue.tag_block(str(block.location.version_agnostic()), list(skills))
            read += 1
    return read


def tag_skills_after_publish(sender=None, course_key=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of the modulestore's ``course_published`` (publish, import, re-run): reads blocks, writes tags."""
    # pylint: disable=import-outside-toplevel,import-error
    from opaque_keys.edx.locator import CourseLocator
    from xmodule.modulestore.django import modulestore
    if not isinstance(course_key, CourseLocator):
        return
    try:
        tag_course_blocks(modulestore(), course_key)
    except Exception:  # pylint: disable=broad-except
        # Tags are a mirror of the blocks' skills: a failure leaves them as they were, never the publish.
        log.exception("Skills of %s could not be written as content tags", course_key)


FRAMEWORK_MODELS = {"oel_tagging.Tag", "oel_tagging.Taxonomy", "oel_tagging.TaxonomyOrg"}


def model_label(sender):
    """
    The tagging model a Django model signal is about ("oel_tagging.ObjectTag"), proxies as their table;
    else None, and None for a migration's historical models (Django builds them in the module
    "__fake__"): no skill is tagged and no framework cached before migrations end.
    """
    meta = getattr(sender, "_meta", None)
    if meta is None or getattr(sender, "__module__", "") == "__fake__":
        return None
    return meta.concrete_model._meta.label


def framework_changed(sender=None, **kwargs):
    """Receiver of Django's ``post_save`` and ``post_delete``: a tag or taxonomy changed, cached frameworks are old."""
    if model_label(sender) not in FRAMEWORK_MODELS:
        return
    # Imported here: the platform may have no tagging app (skill_tags needs it).
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.openedx.skill_tags import renew_frameworks
    # Now, for this transaction's own reads, and again once committed, for a reader that cached the
    # framework as it was before the commit.
    renew_frameworks()
    transaction.on_commit(renew_frameworks)


def note_removed_tag(sender=None, instance=None, **kwargs):
    """Receiver of Django's ``post_delete``: note the skill of a content tag deleted other than by the plugin."""
    if model_label(sender) != "oel_tagging.ObjectTag":
        return
    # Imported here: the platform may have no tagging app (skill_tags needs it).
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.openedx.skill_tags import PlatformSkillTags, is_mirroring
    if is_mirroring():
        return
    slug = PlatformSkillTags.slug_of(instance)
    if slug:
        noted = getattr(_removed, "by_object", None)
        if noted is None:
            noted = _removed.by_object = {}
        noted.setdefault(instance.object_id, set()).add(slug)


def skills_after_tag_change(sender=None, content_object=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of ``CONTENT_OBJECT_ASSOCIATIONS_CHANGED`` (Studio's tag drawer): removed tags leave the block."""
    object_id = getattr(content_object, "object_id", None)
    removed = (getattr(_removed, "by_object", None) or {}).pop(object_id, None)
    if not removed:
        return
    try:
        drop_removed_skills(object_id, removed, _current_user_id())
    except Exception:  # pylint: disable=broad-except
        # The tag change is committed; the block keeps the skill, and the next publish tags it again.
        log.exception("Skills whose tags were removed could not be taken out of %s", object_id)


def forget_removed_tags(sender=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of ``request_finished`` and ``task_postrun``: deletions no event followed (a block deleted)."""
    _removed.by_object = {}


def drop_removed_skills(object_id, removed, user_id=None):
    """Drop from the block ``object_id`` the framework skills in ``removed`` it is no longer tagged with."""
    def change(block):
        glue = block.skill_tags() if hasattr(block, "drop_skills") else None
        if glue is None:
            return False
        still_tagged = set(glue.block_skills(object_id))
        gone = {slug for slug in removed if slug in block.skill_framework() and slug not in still_tagged}
        return bool(gone) and block.drop_skills(gone)
    edit = platform_function(AUTHORED_BLOCKS_SETTING, DEFAULT_AUTHORED_BLOCKS)
    return edit(object_id, change, user_id) if edit else False


def edit_in_modulestore(object_id, change, user_id):
    """Studio's way: the block's draft, written as the author who changed the tags (else the system user)."""
    # pylint: disable=import-outside-toplevel,import-error
    from opaque_keys import InvalidKeyError
    from opaque_keys.edx.keys import CourseKey, UsageKey
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    from xmodule.modulestore.exceptions import ItemNotFoundError
    try:
        usage_key = UsageKey.from_string(object_id)
    except InvalidKeyError:
        return False
    if usage_key.block_type not in SKILL_BLOCK_TYPES or not isinstance(usage_key.context_key, CourseKey):
        return False   # a library's block or other content: not ours to write
    store = modulestore()
    with store.branch_setting(ModuleStoreEnum.Branch.draft_preferred, usage_key.course_key):
        try:
            block = store.get_item(usage_key)
        except ItemNotFoundError:
            return False
        if not change(block):
            return False
        store.update_item(block, user_id or ModuleStoreEnum.UserID.mgmt_command)
    return True


def _current_user_id():
    from crum import get_current_user  # pylint: disable=import-outside-toplevel
    user = get_current_user()
    return user.id if user is not None and user.is_authenticated else None
