"""
``./manage.py lms rebuild_learning_plan_summaries --course <course key>`` (or ``--plan <usage key>``,
both repeatable): rebuild the learning plans' class summary from learner state, read through the
platform's user-state client one source block at a time and written in chunks. The summary is
derived and disposable. The first staff view of a plan whose summary is missing or out of date
queues the same rebuild (tasks.rebuild_learning_plan_summary); run this to have a large course ready
before its teachers look, where no Celery worker runs, or whenever the summary is in doubt. Until a
plan's summary is rebuilt for what it reads now, its class view reads learner state directly.
A learner who writes while their block is being read may keep the older summary of that block
until their next write or the next rebuild: run it when the course is quiet if it matters.
"""
import time

from django.core.management.base import BaseCommand, CommandError

from personalized_path.platform_glue import (DEFAULT_PLAN_LOADER, PLAN_LOADER_SETTING, PLAN_SUMMARIES_SETTING,
                                             platform_function)


class Command(BaseCommand):
    """rebuild_learning_plan_summaries: one pass per plan (see PlanClassMixin.rebuild_class_summary)."""

    help = "Rebuild the learning plans' class summary from learner state, for the plans of a course or named plans."

    def add_arguments(self, parser):
        parser.add_argument("--course", action="append", default=[], help="A course key (repeatable).")
        parser.add_argument("--plan", action="append", default=[], help="A learning plan's usage key (repeatable).")

    def handle(self, *args, **options):
        if not options["course"] and not options["plan"]:
            raise CommandError("Name at least one --course or --plan.")
        load_plans = platform_function(PLAN_LOADER_SETTING, DEFAULT_PLAN_LOADER)
        if load_plans is None:
            raise CommandError(f"No plan loader: the setting {PLAN_LOADER_SETTING} is empty.")
        failed, plans = [], 0
        for plan in load_plans(options["course"], options["plan"]):
            plans += 1
            started = time.monotonic()
            try:
                learners = plan.rebuild_class_summary()
            except Exception as error:  # pylint: disable=broad-except
                failed.append(str(plan.scope_ids.usage_id))
                self.stderr.write(f"{plan.scope_ids.usage_id}: failed: {error!r}")
                continue
            if learners is None:
                raise CommandError(f"No class summary store here: the setting {PLAN_SUMMARIES_SETTING} names nothing.")
            self.stdout.write(f"{plan.scope_ids.usage_id}: {learners} learners in {time.monotonic() - started:.2f} s")
        if not plans:
            self.stdout.write("No learning plan found.")
        if failed:
            raise CommandError(f"{len(failed)} plan(s) could not be rebuilt: {', '.join(failed)}")
