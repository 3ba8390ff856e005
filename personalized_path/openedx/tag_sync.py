"""
Our blocks' skills as their content tags whichever way a course arrives: an import, a re-run, the REST
API or a script creates blocks without our editor's save, which is what mirrors skills as tags in
Studio. On the modulestore's ``course_published`` each block's skills from the course's skill
taxonomies are added to its content tags; none are removed here (only the editor knows which skills
an author dropped), so a second pass changes nothing.
"""
import logging

log = logging.getLogger(__name__)

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
