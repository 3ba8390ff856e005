"""
The learning plan's class summary in the plugin's own tables (models.py): kept up to date in the
request of each learner's write, read by the class grid and the export with indexed queries, and
rebuilt from learner state by ``rebuild_learning_plan_summaries``.

Blocks reach it through the Django setting ``PERSONALIZED_PATH_PLAN_SUMMARIES`` (set by the plugin,
settings.py), which names ``plan_summaries``; where it names nothing the grid reads every learner's
state as before. A plan's rows are used only once they were rebuilt for what the plan reads now
(its sources and skill rules, ``PlanSummaryConfig``): until then the grid falls back, so a change of
the plan's sources can make it slow, never wrong. The first staff view that finds a plan's rows out of
date asks for them to be rebuilt (``request_rebuild``: a Celery task in the LMS), once per change.
"""
import hashlib
import json
import logging
from collections import Counter
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F, Q, Sum

from personalized_path.core import class_grid
from personalized_path.openedx.models import PlanLearnerFacet, PlanLearnerSummary, PlanSummaryConfig, PlanSummaryCount
from personalized_path.openedx.settings import PLAN_REBUILD, PLAN_REBUILD_SETTING
from personalized_path.openedx.storage import cache_write
from personalized_path.platform_glue import platform_function

CHUNK = 1000
# The rows' fact columns; a new one (2: next_review_due) makes every plan's rows wait for a rebuild.
ROW_COLUMNS = 2
FEW_MATCHING = 2000  # see page
# A plan's rebuild is asked for once per configuration; again after this long if it has not happened
# by then (a worker lost it, say).
REBUILD_ASKED_SECONDS = 3600
log = logging.getLogger(__name__)


def plan_summaries(block):  # pylint: disable=unused-argument
    """The store, for any block (named by ``PERSONALIZED_PATH_PLAN_SUMMARIES``)."""
    return STORE


def modulestore_plans(course_keys, plan_keys):
    """The LMS's learning plans of each course, and each plan named (for rebuild_learning_plan_summaries)."""
    # pylint: disable=import-outside-toplevel,import-error
    from opaque_keys.edx.keys import CourseKey, UsageKey
    from xmodule.modulestore.django import modulestore
    store = modulestore()
    for text in course_keys:
        yield from store.get_items(CourseKey.from_string(text), qualifiers={"category": "personalized_learning_plan"})
    for text in plan_keys:
        yield store.get_item(UsageKey.from_string(text))


def course_of(usage_key):
    """The course of a usage key (its context key); the scenario of a workbench usage id (``scenario.tag...``)."""
    course = getattr(usage_key, "context_key", None) or getattr(usage_key, "course_key", None)
    return str(course) if course is not None else str(usage_key).split(".", 1)[0]


def config_digest(record):
    """What the stored rows depend on: not the titles and route labels, which are shown as they are now."""
    kept = {"rules": record["rules"], "sources": [dict(source, title=None, routes=[
        route.get("id") for route in source["routes"]]) for source in record["sources"]], "columns": ROW_COLUMNS}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode("utf-8")).hexdigest()


def _filters(query, today, prefix=""):
    """The grid's search and filter as a Q on the summary rows (``prefix`` to reach them through a relation)."""
    def test(**terms):
        return Q(**{prefix + name: value for name, value in terms.items()})
    found = Q()
    if query.search:
        found &= test(learner_sort__contains=query.search.lower())
    if query.filter == class_grid.STUCK:
        found &= test(stuck_since__lte=today - timedelta(days=query.stuck_days)) if query.stuck_days \
            else test(stuck_since__isnull=False)
    elif query.filter == class_grid.OVERDUE:
        found &= test(next_checkin_due__lt=today)
    elif query.filter == class_grid.EXCEPTION:
        found &= test(has_exception=True)
    elif query.filter in (class_grid.NO_CHOICE, class_grid.OVER, class_grid.UNDER):
        found &= test(**{query.filter: True})
    return found


class PlanSummaryStore:
    """Reads and writes of the summary tables (one instance serves every plan)."""

    @staticmethod
    def ready(plan_key, usage_key, record):
        """
        Record what the plan reads (``class_grid.config_record``); True when its rows were rebuilt for
        exactly that, so the grid may read them.
        """
        digest = config_digest(record)
        try:
            with transaction.atomic():
                config = PlanSummaryConfig.objects.filter(plan_key=plan_key).first()
                if config is None or config.digest != digest:
                    PlanSummaryConfig.objects.update_or_create(plan_key=plan_key, defaults={
                        "course_key": course_of(usage_key), "config": record, "digest": digest})
                    return False
        except DatabaseError:  # the plugin's migration not run yet, say: the grid reads learner state
            log.exception("Learning plan %s: the class summary cannot be read", plan_key)
            return False
        return config.built_digest == digest

    @staticmethod
    def request_rebuild(plan_key, record):
        """
        Ask once for the plan's rows to be rebuilt for ``record`` (what it reads now, found out of date by
        ``ready``): by the function ``PERSONALIZED_PATH_PLAN_REBUILD`` names, given the plan's key once
        the request's transaction commits (the plugin's default queues a Celery task; the workbench's runs
        it at once). True when asked now, False when asked already for this configuration (within
        REBUILD_ASKED_SECONDS), None when the setting names nothing (the management command rebuilds).
        """
        rebuild = platform_function(PLAN_REBUILD_SETTING, PLAN_REBUILD)
        if rebuild is None:
            return None
        asked = "personalized_path.plan_rebuild." + hashlib.sha256(
            f"{plan_key} {config_digest(record)}".encode("utf-8")).hexdigest()
        first = cache_write(lambda: cache.add(asked, True, REBUILD_ASKED_SECONDS),
                            f"Learning plan {plan_key}: its class summary's rebuild could not be asked for")
        if first is None:  # the cache failed: the grid reads learner state
            return None
        if not first:
            return False
        transaction.on_commit(lambda: rebuild(plan_key))
        return True

    @classmethod
    def learner_wrote(cls, usage_key, username, summary, now):
        """
        A learner's new summary of a source, into each plan of the course that reads it, within the save's
        transaction. The learner's save never fails for the summary (it is derived): where the summary
        cannot be written, it is left whole (a savepoint) and marked stale, so the grid reads learner
        state until the next rebuild.
        """
        try:
            with transaction.atomic():
                cls.write_learner(usage_key, username, summary, now)
        except DatabaseError:
            log.exception("The class summary of %s could not be updated for a learner's write: "
                          "rebuild_learning_plan_summaries makes it current again", usage_key)
            try:
                with transaction.atomic():
                    PlanSummaryConfig.objects.filter(course_key=course_of(usage_key)).update(built_digest="")
            except DatabaseError:
                pass

    @staticmethod
    def write_learner(usage_key, username, summary, now):
        key = str(usage_key)
        for config in PlanSummaryConfig.objects.filter(course_key=course_of(usage_key)):
            if key not in {source["key"] for source in config.config["sources"]}:
                continue
            row = PlanLearnerSummary.objects.select_for_update().filter(
                plan_key=config.plan_key, username=username).first()
            summaries = dict(row.summaries) if row else {}
            summaries[key] = summary
            before = row.counted if row else []
            row = row or PlanLearnerSummary(plan_key=config.plan_key, username=username)
            _write_rows(config, [(row, summaries)], now)
            _add_counts(config.plan_key, before, row.counted)

    @staticmethod
    def forget_learner(usernames):
        """Remove these usernames' rows from every plan's summary (account retirement); the counts follow."""
        with transaction.atomic():
            for row in PlanLearnerSummary.objects.select_for_update().filter(username__in=list(usernames)):
                _add_counts(row.plan_key, row.counted, [])
                row.delete()

    @staticmethod
    def page(plan_key, query, today):
        """``([(username, summaries)] of the page, number matching, number of pages, page shown, total)``."""
        counts = PlanSummaryCount.objects.filter(plan_key=plan_key)
        total = counts.filter(name=LEARNERS).aggregate(learners=Sum("learners"))["learners"] or 0
        if query.search:  # a part of a name: counted through the index of names
            matching = PlanLearnerSummary.objects.filter(_filters(query, today), plan_key=plan_key).count()
        else:
            matching = counts.filter(_counted(query, today)).aggregate(learners=Sum("learners"))["learners"] or 0
        pages, page, start = class_grid.page_of(matching, query)
        if not matching:
            return [], matching, pages, page, total
        keys = None
        if matching <= FEW_MATCHING and query.filter:
            # Few learners match: found through the filter's own index, then put in order, rather than
            # walking the index of names past every learner who does not match.
            keys = list(PlanLearnerSummary.objects.filter(_filters(query, today), plan_key=plan_key).values_list(
                "pk", flat=True))
        return list(_ordered(plan_key, query, today, keys)[start:start + query.page_size]), matching, pages, page, \
            total

    @staticmethod
    def export(plan_key, query, today):
        """``(number matching, lazy [(username, summaries)])``: matching learners in grid order, read in chunks."""
        found = _ordered(plan_key, query, today)
        return found.count(), found.iterator(chunk_size=CHUNK)

    @staticmethod
    def gate_tallies(plan_key):
        """``{gate key: {class_grid.gate_tally_key: learners}}`` over every learner of the plan."""
        tallies = {}
        for name, learners in PlanSummaryCount.objects.filter(plan_key=plan_key, name__startswith="gate:").values_list(
                "name", "learners"):
            gate, tally_key = name[len("gate:"):].rsplit("|", 1)
            tallies.setdefault(gate, {})[tally_key] = learners
        return tallies

    @staticmethod
    def rebuild(plan_key, usage_key, record, source_states, now):
        """
        Replace the plan's rows with ones built from learner state: ``source_states`` yields, per
        source key, a lazy ``[(username, summary)]``; read and written CHUNK learners at a time.
        Answers the number of learners.
        """
        digest = config_digest(record)
        config, _created = PlanSummaryConfig.objects.update_or_create(plan_key=plan_key, defaults={
            "course_key": course_of(usage_key), "config": record, "digest": digest, "built_digest": ""})
        PlanLearnerSummary.objects.filter(plan_key=plan_key).delete()
        for key, items in source_states:
            for chunk in _chunks(items):
                with transaction.atomic():
                    found = {row.username: row for row in PlanLearnerSummary.objects.filter(
                        plan_key=plan_key, username__in=[username for username, _summary in chunk])}
                    new, changed = [], []
                    for username, summary in chunk:
                        row = found.get(username)
                        if row is None:
                            row = found[username] = PlanLearnerSummary(plan_key=plan_key, username=username,
                                                                       learner_sort=username.lower(), summaries={})
                            new.append(row)
                        elif row not in changed:
                            changed.append(row)
                        row.summaries[key] = summary
                    PlanLearnerSummary.objects.bulk_create(new, batch_size=CHUNK)
                    PlanLearnerSummary.objects.bulk_update(changed, ["summaries"], batch_size=CHUNK)
        learners, counts = 0, Counter()
        rows = PlanLearnerSummary.objects.filter(plan_key=plan_key).order_by("pk")
        for chunk in _chunks(rows.iterator(chunk_size=CHUNK)):
            with transaction.atomic():
                _write_rows(config, [(row, row.summaries) for row in chunk], now)
            learners += len(chunk)
            for row in chunk:
                counts.update(row.counted)
        with transaction.atomic():
            PlanSummaryCount.objects.filter(plan_key=plan_key).delete()
            PlanSummaryCount.objects.bulk_create([PlanSummaryCount(plan_key=plan_key, name=name, learners=number)
                                                  for name, number in counts.items()], batch_size=CHUNK)
        PlanSummaryConfig.objects.filter(pk=config.pk, digest=digest).update(built_digest=digest)
        return learners


def _ordered(plan_key, query, today, keys=None):
    """
    ``(username, summaries)`` of the learners ``query`` matches (among the rows ``keys`` if given), in
    its order (ties by name), not yet read.
    """
    if query.sort.startswith("skill:"):  # through the skill's facet rows, indexed by measurement
        number = F("number").desc(nulls_last=True) if query.descending else F("number").asc(nulls_last=True)
        found = PlanLearnerFacet.objects.filter(_filters(query, today, "row__"), plan_key=plan_key, name=query.sort)
        found = found if keys is None else found.filter(row_id__in=keys)
        return found.order_by(number, "learner_sort", "row__username").values_list("row__username", "row__summaries")
    found = PlanLearnerSummary.objects.filter(_filters(query, today), plan_key=plan_key)
    found = found if keys is None else found.filter(pk__in=keys)
    return found.order_by(*_order(query)).values_list("username", "summaries")


LEARNERS = "learners"
FLAG_COUNTS = {class_grid.NO_CHOICE: "no_choice", class_grid.OVER: "over", class_grid.UNDER: "under",
               class_grid.EXCEPTION: "exception"}


def _counted(query, today):
    """Which count rows add up to the number of learners a query without a search matches."""
    if query.filter == class_grid.STUCK:  # reached on a day at least stuck_days ago (ISO days sort as text)
        latest = "stuck:" + (today - timedelta(days=query.stuck_days)).isoformat() if query.stuck_days else "stuck:~"
        return Q(name__gte="stuck:", name__lte=latest)
    if query.filter == class_grid.OVERDUE:
        return Q(name__gte="due:", name__lt="due:" + today.isoformat())
    return Q(name=FLAG_COUNTS.get(query.filter, LEARNERS))


def _count_names(row, facts):
    """The count rows that count a summary row's learner."""
    names = [LEARNERS] + [FLAG_COUNTS[flag] for flag, on in (
        (class_grid.NO_CHOICE, row.no_choice), (class_grid.OVER, row.over), (class_grid.UNDER, row.under),
        (class_grid.EXCEPTION, row.has_exception)) if on]
    if row.stuck_since:
        names.append("stuck:" + row.stuck_since.isoformat())
    if row.next_checkin_due:
        names.append("due:" + row.next_checkin_due.isoformat())
    return names + [f"gate:{gate}|{tally_key}" for gate, tally_key in facts["gates"].items()]


def _add_counts(plan_key, before, after):
    """One learner's change in the plan's counts: from the count rows named ``before`` to those named ``after``."""
    changes = [(name, 1) for name in set(after) - set(before)] + [(name, -1) for name in set(before) - set(after)]
    for name, delta in sorted(changes):  # in one order: two writers never wait for each other's rows crosswise
        if not PlanSummaryCount.objects.filter(plan_key=plan_key, name=name).update(learners=F("learners") + delta):
            PlanSummaryCount.objects.get_or_create(plan_key=plan_key, name=name)
            PlanSummaryCount.objects.filter(plan_key=plan_key, name=name).update(learners=F("learners") + delta)


def _order(query):
    if query.sort == "stuck_days":  # more days stuck: an earlier day reached
        day = F("stuck_since").asc(nulls_last=True) if query.descending else F("stuck_since").desc(nulls_last=True)
        return day, "learner_sort", "username"
    return ("-learner_sort", "-username") if query.descending else ("learner_sort", "username")


def _chunks(items, size=CHUNK):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


FACT_COLUMNS = ("learner_sort", "summaries", "stuck_since", "next_checkin_due", "next_review_due", "no_choice",
                "over", "under", "has_exception", "counted")


def _write_rows(config, rows, now):
    """Save rows ``[(PlanLearnerSummary, summaries)]`` with the facts the grid queries, and their facets."""
    sources, rules = class_grid.config_from_record(config.config)
    new, old = [], []
    facets = []
    for row, summaries in rows:
        facts = class_grid.summary_facts(sources, summaries, rules, now)
        row.summaries, row.learner_sort = summaries, row.username.lower()
        row.stuck_since, row.next_checkin_due = facts["stuck_since"], facts["next_checkin_due"]
        row.next_review_due = facts["next_review_due"]
        row.no_choice, row.over, row.under = facts["no_choice"], facts["over"], facts["under"]
        row.has_exception = facts["exception"]
        row.counted = _count_names(row, facts)
        (old if row.pk else new).append(row)
        facets.append((row, facts))
    PlanLearnerSummary.objects.bulk_create(new, batch_size=CHUNK)
    if any(row.pk is None for row in new):  # databases that return no keys from a bulk insert (MySQL)
        keys = dict(PlanLearnerSummary.objects.filter(
            plan_key=new[0].plan_key, username__in=[row.username for row in new]).values_list("username", "pk"))
        for row in new:
            row.pk = keys[row.username]
    if old:
        PlanLearnerSummary.objects.bulk_update(old, FACT_COLUMNS, batch_size=CHUNK)
        PlanLearnerFacet.objects.filter(row__in=old).delete()
    PlanLearnerFacet.objects.bulk_create([
        PlanLearnerFacet(row=row, plan_key=row.plan_key, learner_sort=row.learner_sort, **values)
        for row, facts in facets for values in _facets(facts)], batch_size=CHUNK)


def _facets(facts):
    for skill, measured in facts["skills"].items():
        yield {"name": f"skill:{skill}", "number": measured}


STORE = PlanSummaryStore()
