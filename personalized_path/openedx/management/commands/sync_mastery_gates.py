"""
``./manage.py cms sync_mastery_gates --all`` (or ``--course <course key>``): give every mastery gate's
children their gate's access rule in existing courses, for operators installing or upgrading the
plugin. Courses published afterwards are kept in step by the ``course_published`` receiver.
"""
import time

from django.core.management.base import BaseCommand, CommandError

from personalized_path.openedx.gate_sync import sync_course


class Command(BaseCommand):
    """sync_mastery_gates: one pass per course (see gate_sync.sync_course)."""

    help = "Give every mastery gate's children their gate's access rule (group_access), in one course or all."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--course", action="append", default=[], help="A course key (repeatable).")
        which.add_argument("--all", action="store_true", help="Every course in the modulestore.")

    def handle(self, *args, **options):
        # pylint: disable=import-outside-toplevel,import-error
        from opaque_keys import InvalidKeyError
        from opaque_keys.edx.keys import CourseKey
        from xmodule.modulestore import ModuleStoreEnum
        from xmodule.modulestore.django import modulestore
        store = modulestore()
        if options["all"]:
            keys = [course.id for course in store.get_course_summaries()]
        else:
            try:
                keys = [CourseKey.from_string(text) for text in options["course"]]
            except InvalidKeyError as error:
                raise CommandError(f"Not a course key: {error}") from error
        failed = []
        for key in keys:
            started = time.monotonic()
            try:
                written = sync_course(store, key, ModuleStoreEnum.UserID.mgmt_command)
            except Exception as error:  # pylint: disable=broad-except
                failed.append(str(key))
                self.stderr.write(f"{key}: failed: {error!r}")
                continue
            self.stdout.write(f"{key}: {written} blocks updated in {time.monotonic() - started:.2f} s")
        if failed:
            raise CommandError(f"{len(failed)} course(s) could not be synced: {', '.join(failed)}")
