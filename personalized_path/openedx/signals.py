"""The receivers the plugin connects (edx-django-utils reads them from one module per app; see apps.py)."""
# pylint: disable=unused-import
from personalized_path.openedx.gate_sync import sync_after_publish, sync_pending
from personalized_path.openedx.retirement import erase_learner_text
from personalized_path.openedx.studio_sync import sync_after_authoring_change, sync_after_request
from personalized_path.openedx.tag_sync import (forget_removed_tags, framework_changed, note_removed_tag,
                                                skills_after_tag_change, tag_skills_after_publish)
