"""
The learning plan's class view, read one of two ways: from the class summary the plugin keeps
(``PERSONALIZED_PATH_PLAN_SUMMARIES``: indexed rows updated with each learner's write, so a page costs
the same at 100 learners and at 100,000), or, where there is none or it was not yet rebuilt for what
the plan reads now, from every learner's stored state through the user-state client. Both give the
same rows, built by ``core.plan.learner_row`` from each source's ``summarize_state``.
"""
from xblock.core import XBlockMixin

from .core import class_grid
from .core import plan as core
from .platform_glue import CLASS_EXPORT_URL_SETTING, platform_function


class PlanClassMixin(XBlockMixin):
    """The class grid's rows, a page of them, the route counts and the export's rows, from either source."""

    # Set by summary_store when the rows were read from learner state because the summary is being rebuilt.
    summary_pending = False

    def class_rows(self, pairs):
        """Every learner with state in any source: one grid row each, read block by block (not learner by learner)."""
        per_learner = {}
        for key, items in self.source_states(pairs):
            for username, summary in items:
                per_learner.setdefault(username, {})[key] = summary
        sources, rules, today = [source for source, _block in pairs], self.skill_rules(pairs), self.today()
        return [core.learner_row(username, sources, summaries, rules, today, now=self.now())
                for username, summaries in per_learner.items()]

    def source_states(self, pairs):
        """Per source, ``(key, lazy [(username, summary)])`` of every learner's stored state (the user-state client)."""
        client = self.user_state_client()
        for source, block in pairs:
            yield source.key, ((item.username, block.summarize_state(item.state or {}))
                               for item in client.iter_all_for_block(block.scope_ids.usage_id))

    def summary_store(self, pairs):
        """
        The class summary store when it holds this plan's rows for what the plan reads now; else None,
        once the store was asked to rebuild them (``summary_pending`` then says so to staff; where nothing
        can rebuild them but the management command, it stays False): where the rebuild runs at once
        (the workbench) the rows are read as soon as it is done.
        """
        store = self.plan_summary_store()
        if store is None:
            return None
        plan_key, usage_key = str(self.scope_ids.usage_id), self.scope_ids.usage_id
        record = class_grid.config_record([source for source, _block in pairs], self.skill_rules(pairs))
        if store.ready(plan_key, usage_key, record):
            return store
        asked = store.request_rebuild(plan_key, record)
        if asked and store.ready(plan_key, usage_key, record):
            return store
        self.summary_pending = asked is not None
        return None

    def stored_rows(self, pairs, found):
        """Grid rows from the summary's ``[(username, summaries)]`` (lazily: the export streams them)."""
        sources, rules, today, now = [source for source, _block in pairs], self.skill_rules(pairs), self.today(), \
            self.now()
        return (core.learner_row(username, sources, summaries, rules, today, now=now) for username, summaries in found)

    def class_page(self, pairs, query):
        """``(rows of the page, learners in all, number matching, number of pages, page shown, route counts)``."""
        sources = [source for source, _block in pairs]
        store = self.summary_store(pairs)
        if store is None:
            rows = self.class_rows(pairs)
            page_rows, matching, pages, page = class_grid.select(rows, query)
            return page_rows, len(rows), matching, pages, page, class_grid.route_counts(rows, sources)
        found, matching, pages, page, total = store.page(str(self.scope_ids.usage_id), query, self.today())
        tallies = store.gate_tallies(str(self.scope_ids.usage_id))
        counts = [class_grid.gate_counts(source, tallies.get(source.key, {})) for source in sources
                  if source.kind == core.MASTERY_GATE]
        return list(self.stored_rows(pairs, found)), total, matching, pages, page, counts

    def class_export(self, pairs, query):
        """``(number of rows, rows)``: every learner matching ``query`` in the grid's order; lazy from the summary."""
        store = self.summary_store(pairs)
        if store is None:
            rows = class_grid.ordered(self.class_rows(pairs), query)
            return len(rows), iter(rows)
        count, found = store.export(str(self.scope_ids.usage_id), query, self.today())
        return count, self.stored_rows(pairs, found)

    def class_export_url(self):
        """
        Where "Export as CSV" goes: the plugin's streaming view where the platform serves it (named by
        ``PERSONALIZED_PATH_CLASS_EXPORT_URL``), else this block's ``export_csv`` handler.
        """
        try:
            url_of = platform_function(CLASS_EXPORT_URL_SETTING)
        except ImportError:
            url_of = None
        return (url_of(self) if url_of else None) or self.runtime.handler_url(self, "export_csv")

    def gate_state_written(self, client, learner, gate):
        """After staff wrote a learner's gate state (an exception): the class summary of that gate, as stored now."""
        store = self.plan_summary_store()
        if store is not None:
            stored = next(iter(client.get_many(learner, [gate.scope_ids.usage_id])), None)
            store.learner_wrote(gate.scope_ids.usage_id, learner, gate.summarize_state(stored.state if stored else {}),
                                self.now())

    def rebuild_class_summary(self):
        """Rebuild this plan's class summary from every learner's stored state; the number of learners, or None."""
        store = self.plan_summary_store()
        if store is None:
            return None
        pairs = self.source_blocks()
        record = class_grid.config_record([source for source, _block in pairs], self.skill_rules(pairs))
        return store.rebuild(str(self.scope_ids.usage_id), self.scope_ids.usage_id, record, self.source_states(pairs),
                             self.now())
