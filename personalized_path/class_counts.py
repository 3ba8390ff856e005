"""
Class-wide counts (``Scope.user_state_summary``): each learner's contribution, saved with their own
write under the summary's lock, and staff's recount from every learner's stored state.
"""
import contextlib
import logging

from xblock.core import XBlockMixin
from xblock.exceptions import JsonHandlerError
from xblock.fields import Scope

from .core import N_
from .core.payload import PayloadError, only_keys
from .core.plan import SOURCE_KINDS
from .core.state import ANY, COUNT, MapOf, Record
from .fields import Dict
from .handlers import Conflict, json_api
from .learner_state import CacheLock
from .platform_glue import (DEFAULT_SAVE_TRANSACTION, DEFAULT_USER_STATE_CLIENT, PLAN_SUMMARIES_SETTING,
                            SAVE_TRANSACTION_SETTING, USER_STATE_CLIENT_SETTING, platform_function)

log = logging.getLogger(__name__)
COUNT_MARKS_SHAPE = MapOf(Record(required={"serial": COUNT, "epoch": COUNT}))
SUMMARY_COPY_SHAPE = Record(required={"serial": COUNT, "epoch": COUNT, "value": ANY})
# The latest copy of a class summary kept in the shared cache (see count_in_class).
SUMMARY_COPY_SECONDS = 7 * 24 * 3600
# A class summary's lock (see save_counted): a learner waits at most this long for it, then saves
# without counting (their record keeps what is counted, so their next write or a recount makes up
# for it); and a lock whose holder died lets go by itself after this long (holders need milliseconds).
SUMMARY_LOCK_WAIT_SECONDS = 0.25
SUMMARY_LOCK_HOLD_SECONDS = 3
# A recount holds the summary's lock while it reads every learner's state.
RECOUNT_HOLD_SECONDS = 120
# The key of ``counted_in_class`` under which each summary's recount epoch is recorded.
COUNT_EPOCHS = "epochs"


class ClassCountsMixin(XBlockMixin):
    """Class summaries a block keeps (``class_count_rules``), counted as learners write."""

    counted_in_class = Dict(scope=Scope.user_state, default={},
                            help="What the class summaries count for this learner (see count_in_class).")
    class_count_marks = Dict(scope=Scope.user_state_summary, default={}, shape=COUNT_MARKS_SHAPE,
                             help="Per class summary: how often it was written (serial) and recounted (epoch).")

    def count_in_class(self, summary_field, before, after, apply):
        """
        Have the class summary ``summary_field`` (Scope.user_state_summary) count this learner's
        contribution ``after`` (small JSON, from the state this request writes) instead of what it
        counted for them before; made when the handler has succeeded, with the learner's own save
        (``save_counted``).

        ``apply(summary, old, new)`` returns the summary with contribution ``old`` replaced by
        ``new`` (pure, in core); ``before`` is the contribution of the state this request started
        from, taken as counted for learners whose state predates the record (or the last recount).
        """
        if self.pending_counts is None:  # not inside learner_lock: nothing else is pending
            self.save_counted([(summary_field, before, after, apply)])
        else:
            self.pending_counts.append((summary_field, before, after, apply))

    def save_counted(self, updates):
        """
        Save this learner's fields and the class summary ``updates`` together, or neither.

        A summary is one value shared by every learner, read by each worker when it loads the
        block, so each change is made under the summary's lock from its newest copy (``newest_summary``).
        ``counted_in_class`` records in the learner's own state what each summary counts for them, and
        it is saved in the same database transaction as the summaries (where both live in this Django
        database, as in the LMS and the workbench): a request that fails at any point leaves neither,
        so a count is never applied without the learner's write it stands for. A lock that stays busy
        for SUMMARY_LOCK_WAIT_SECONDS (its holder may have died: it expires by itself) only defers
        the count: the record keeps the old contribution and the learner's next write applies the
        whole difference; staff's recount (``recount_class``) rebuilds a summary from every learner.
        """
        if not updates:
            self.save_learner_write()
            return
        record = dict(self.counted_in_class) if isinstance(self.counted_in_class, dict) else {}
        epochs = dict(record.get(COUNT_EPOCHS)) if isinstance(record.get(COUNT_EPOCHS), dict) else {}
        marks = dict(self.class_count_marks)
        copies, held = {}, []
        try:
            for summary_field, before, after, apply in updates:
                lock = self.summary_lock(summary_field)
                is_held = lock.acquire()
                if is_held:
                    held.append(lock)
                latest, mark = self.newest_summary(summary_field)
                counted = record.get(summary_field, before) if epochs.get(summary_field, 0) == mark["epoch"] \
                    else before
                if not is_held:
                    log.info("Class summary %s of %s busy: this learner's count waits for their next write",
                             summary_field, self.scope_ids.usage_id)
                elif counted != after:
                    field = self.fields[summary_field]
                    updated = apply(latest, counted, after)
                    field.write_to(self, updated)
                    mark = marks[summary_field] = {"serial": mark["serial"] + 1, "epoch": mark["epoch"]}
                    copies[summary_field] = dict(mark, value=updated)
                record[summary_field] = after if is_held else counted
                epochs[summary_field] = mark["epoch"]
            self.counted_in_class = dict(record, **{COUNT_EPOCHS: epochs})
            if copies:
                self.class_count_marks = marks
            self.save_learner_write()
            self.keep_summary_copies(copies)
        except Exception:
            # Nothing of this request is written: not by the runtime's save after the handler either.
            self._dirty_fields.clear()
            raise
        finally:
            for lock in held:
                lock.release()

    def save_learner_write(self):
        """
        Save this learner's fields, and what the learning plans' class summary holds of them (for a block
        the plans read), in one storage transaction: a save that fails changes neither.
        """
        to_save = self._get_fields_to_save()
        if not to_save:  # nothing changed (the lock's save after a view's own write): no empty transaction
            self.save()
            return
        store = self.plan_summary_store() if self.scope_ids.block_type in SOURCE_KINDS else None
        changed = store is not None and any(self.fields[name].scope == Scope.user_state for name in to_save)
        with self.storage_transaction():
            self.save()
            if changed:
                store.learner_wrote(self.scope_ids.usage_id, self.learner_username(),
                                    self.summarize_state(self.own_user_state()), self.now())

    def plan_summary_store(self):
        """The learning plans' class summary store (``PERSONALIZED_PATH_PLAN_SUMMARIES`` names it); None if none."""
        try:
            make_store = platform_function(PLAN_SUMMARIES_SETTING)
        except ImportError:
            return None
        return make_store(self) if make_store else None

    def summary_lock(self, summary_field, hold=SUMMARY_LOCK_HOLD_SECONDS):
        return CacheLock(self.shared_cache(), self.cache_key("summary-lock", summary_field),
                         wait=SUMMARY_LOCK_WAIT_SECONDS, hold=hold)

    def newest_summary(self, summary_field):
        """
        ``(summary, {"serial", "epoch"})``: the copy the last writer left in the shared cache, unless
        the stored value this request loaded is as new (a cache may lose a write without a word, as
        Django's database cache does when its database fails).
        """
        field = self.fields[summary_field]
        loaded = self.class_count_marks.get(summary_field) or {"serial": 0, "epoch": 0}
        copy = self.shared_cache().get(self.cache_key("summary", summary_field))
        if SUMMARY_COPY_SHAPE.fits(copy) and (copy["epoch"], copy["serial"]) >= (loaded["epoch"], loaded["serial"]):
            return copy["value"], {"serial": copy["serial"], "epoch": copy["epoch"]}
        return field.to_json(field.read_from(self)), dict(loaded)

    def keep_summary_copies(self, copies):
        """After the save: each summary's newest copy for the next writer (see ``newest_summary``)."""
        for summary_field, copy in copies.items():
            self.shared_cache().set(self.cache_key("summary", summary_field), copy, SUMMARY_COPY_SECONDS)

    def storage_transaction(self):
        """
        One database transaction for a save, where the platform keeps learner state and class
        summaries in one database (the LMS, the workbench): the platform glue that the
        ``PERSONALIZED_PATH_SAVE_TRANSACTION`` setting names decides. None where it names nothing.
        """
        try:
            make_transaction = platform_function(SAVE_TRANSACTION_SETTING, DEFAULT_SAVE_TRANSACTION)
        except ImportError:
            make_transaction = None
        return make_transaction(self) if make_transaction else contextlib.nullcontext()

    def class_count_rules(self):
        """
        ``{summary field: (contribution, apply)}`` for each class summary this block keeps:
        ``contribution(stored)`` is what one learner's stored fields (``{name: JSON}``, as the
        user-state client returns them) add to it, ``apply`` as for ``count_in_class``. None here.
        """
        return {}

    def user_state_client(self):
        """
        The platform's user-state client (``XBlockUserStateClient``): the runtime's ``user_state_client``
        service where there is one (the workbench), else the client named by the Django setting (the
        LMS adapter in ``personalized_path.openedx``). PayloadError with a sentence where there is none.
        """
        client = self.runtime.service(self, "user_state_client")
        if client is not None:
            return client
        try:
            make_client = platform_function(USER_STATE_CLIENT_SETTING, DEFAULT_USER_STATE_CLIENT)
            if make_client is None:  # the setting emptied
                raise ImportError(USER_STATE_CLIENT_SETTING)
            return make_client()
        except ImportError as error:
            raise PayloadError("", N_("The class view cannot read learners' progress on this platform: its "
                                      "user-state client is not available. Tell your administrator.")) from error

    @json_api
    def recount_class(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Staff: rebuild this block's class counts from every learner's stored state, read through the
        platform's user-state client, each under its summary's lock. Learners' records of what was
        counted for them before are set aside by a new epoch: their next write starts from their state.
        """
        self.require_staff()
        only_keys(data, ())
        rules = self.class_count_rules()
        if not rules:
            raise JsonHandlerError(404, self._("This block keeps no class counts."))
        client = self.user_state_client()
        marks = dict(self.class_count_marks)
        locks = [self.summary_lock(name, hold=RECOUNT_HOLD_SECONDS) for name in rules]
        held = [lock for lock in locks if lock.acquire()]
        try:
            if len(held) < len(locks):
                raise Conflict(self._("The class counts are being updated. Try again in a moment."), busy=True)
            learners, summaries = 0, {name: {} for name in rules}
            for item in client.iter_all_for_block(self.scope_ids.usage_id):
                learners += 1
                for name, (contribution, apply) in rules.items():
                    summaries[name] = apply(summaries[name], None, contribution(item.state or {}))
            copies = {}
            for name, summary in summaries.items():
                loaded = self.newest_summary(name)[1]
                marks[name] = {"serial": loaded["serial"] + 1, "epoch": loaded["epoch"] + 1}
                copies[name] = dict(marks[name], value=summary)
                self.fields[name].write_to(self, summary)
            self.class_count_marks = marks
            with self.storage_transaction():
                self.force_save_fields(list(rules) + ["class_count_marks"])
            self.keep_summary_copies(copies)
        finally:
            for lock in held:
                lock.release()
        self.publish("class_recounted", {"learners": learners})
        return {"message": self.ngettext("Recounted from the records of %(count)s learner.",
                                         "Recounted from the records of %(count)s learners.", learners)
                % {"count": learners},
                "html": self.render_template({"summary": self.class_summary()}, "staff_summary.html")}
