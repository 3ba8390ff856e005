"""
Open edX Teams for the learning plan's groups: the platform's own CSV membership import, run from the
plan (its ``create_teams`` handler) instead of the instructor dashboard. The plan names this class by
the Django setting ``PERSONALIZED_PATH_TEAMS_IMPORTER`` (this is the default), so blocks never import it.
"""
import io


class PlatformTeamsImporter:
    """The LMS's ``TeamMembershipImportManager`` for one course, and the tracks a team may not mix with others."""

    @property
    def protected_modes(self):
        # pylint: disable=import-error,import-outside-toplevel
        from lms.djangoapps.teams.api import ORGANIZATION_PROTECTED_MODES
        return tuple(ORGANIZATION_PROTECTED_MODES)

    def run(self, course_key, csv_text):
        """Import the memberships of ``csv_text`` (the upload's format); the platform's messages, [] when done."""
        # pylint: disable=import-error,import-outside-toplevel
        from lms.djangoapps.teams.csv import TeamMembershipImportManager
        from xmodule.modulestore.django import modulestore
        manager = TeamMembershipImportManager(modulestore().get_course(course_key))
        if manager.set_team_membership_from_csv(io.BytesIO(csv_text.encode("utf-8"))):
            return []
        return [str(message) for message in manager.validation_errors]
