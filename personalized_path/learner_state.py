"""
A learner's state in a block: read (migrated, shared by readers within a request), written one
request at a time under the learner's lock with the state read afresh, kept under the size cap,
and handed to the mobile apps.
"""
import contextlib
import hashlib
import json
import logging
import random
import time
import uuid

from django.core.cache import cache as django_cache
from xblock.core import XBlock, XBlockMixin
from xblock.fields import Scope

from .core import N_
from .core.payload import PayloadError
from .core.state import FIELD_MAX_BYTES
from .handlers import Conflict, json_response

log = logging.getLogger(__name__)

# A learner's lock: how long a request waits for it before answering 409, and how long it lives
# if its holder dies (a handler holds it for milliseconds).
LOCK_WAIT_SECONDS = 5
LOCK_HOLD_SECONDS = 30
# How long the fingerprint of a learner's saved state is kept where storage cannot be read afresh.
FINGERPRINT_SECONDS = 7 * 24 * 3600
# Learner states kept migrated per runtime for readers (see shared_state); the runtime lives for a request.
SHARED_STATES = 512


class CacheLock:
    """
    A lock shared by every worker process: ``add`` on the platform's shared cache (memcached or
    Redis in the LMS, a database table in the workbench) stores the key only if it is absent,
    atomically, so exactly one request holds it. It expires by itself after ``hold`` seconds, so a
    worker that dies holding it blocks the learner for at most that long.
    """

    def __init__(self, cache, key, *, wait, hold):
        self.cache, self.key, self.wait, self.hold = cache, key, wait, hold
        self.token = uuid.uuid4().hex

    def acquire(self):
        """True once held; False when it stayed busy for ``wait`` seconds."""
        deadline = time.monotonic() + self.wait
        while not self.cache.add(self.key, self.token, self.hold):
            if time.monotonic() >= deadline:
                return False
            time.sleep(random.uniform(0.01, 0.04))  # jitter: waiters do not wake in step
        return True

    def release(self):
        # Only our own lock: if it expired and another request took it, it is theirs.
        if self.cache.get(self.key) == self.token:
            self.cache.delete(self.key)


class LearnerStateMixin(XBlockMixin):
    """
    This learner's fields: a block lists them in ``user_state_fields``; ``learner_lock`` guards
    each handler's read-check-write (the class counts it asks for are saved with it).
    """

    user_state_fields = ()
    pending_counts = None  # class summary updates a handler asked for, made once it has succeeded

    def shared_state(self, shape, field_name):
        """
        Like ``read_state``, for readers that do not change it (other blocks, views): migrated once
        per stored value and shared by every block that reads it during the request, so a skill
        check read by many gates and skills is checked once and not copied. Never modify the result.
        """
        if field_name in getattr(self, "_field_data_cache", {}):  # this instance read or changed it
            stored = getattr(self, field_name)
        else:  # as stored, without the copy XBlock keeps of a mutable field to notice in-place changes
            field, data = self.fields[field_name], self._field_data
            stored = field.from_json(data.get(self, field_name)) if data.has(self, field_name) else field.default
        memo = self.runtime.__dict__.setdefault("_personalized_path_states", {})
        key = (str(self.scope_ids.usage_id), self.scope_ids.user_id, shape.version)
        entry = memo.get(key)
        if entry is None or entry[0] is not stored:  # the stored value itself is the check: no stale reads
            if len(memo) >= SHARED_STATES:
                memo.pop(next(iter(memo)))
            entry = memo[key] = (stored, self.read_state(shape, stored, copy_current=False))
        return entry[1]

    def read_state(self, shape, stored, copy_current=True):
        """Stored learner state migrated into a copy; defaults (and a log line) when garbled."""
        state, problem = shape.read(stored, copy_current)
        if problem:
            log.warning("Ignoring unreadable learner state of %s (%s): %s",
                        self.scope_ids.usage_id, self.scope_ids.user_id, problem)
        return state

    def shared_cache(self):
        """
        The cache every worker process shares. The LMS's ``cache`` service wraps Django's default
        cache (memcached or Redis) but offers only get and set, and a lock needs an atomic add; so
        unless the service has add, delete and incr itself, use the Django cache it wraps.
        """
        service = self.runtime.service(self, "cache")
        if all(callable(getattr(service, name, None)) for name in ("add", "get", "set", "delete", "incr")):
            return service
        return django_cache

    def cache_key(self, kind, *parts):
        """A short key (memcached takes 250 bytes at most, and no spaces) for this block."""
        text = "|".join(str(part) for part in (self.scope_ids.usage_id, *parts))
        return f"personalized_path.{kind}.{hashlib.sha256(text.encode('utf-8')).hexdigest()}"

    def lock_for(self, username, usage_id=None):
        """
        The write lock of one learner's state in this block (or in ``usage_id``), not yet taken. A
        learner is named by username everywhere (their own requests and staff's exceptions alike):
        in the LMS ``scope_ids.user_id`` is the numeric id, which staff's tools never see.
        """
        text = f"{usage_id or self.scope_ids.usage_id}|{username}"
        key = f"personalized_path.lock.{hashlib.sha256(text.encode('utf-8')).hexdigest()}"
        return CacheLock(self.shared_cache(), key, wait=LOCK_WAIT_SECONDS, hold=LOCK_HOLD_SECONDS)

    def busy_conflict(self):
        return Conflict(self._("Another of your requests for this activity is still being saved. "
                               "Wait a moment and try again."), busy=True)

    @contextlib.contextmanager
    def learner_lock(self):
        """
        Hold this learner's lock on this block for a read-check-write, with the state read afresh.

        Every worker reads a learner's state before the handler runs (the LMS fills a
        FieldDataCache with the StudentModule rows when it loads the block; XBlock keeps each field
        it has read), so a check made on that copy can miss what a request of the same learner in
        another worker wrote meanwhile: two tabs' saves would both pass the revision check, or
        both of twelve submits would see attempts left. So, with the lock held:

        1. read the state again from storage: the platform's ``user_state`` service reads the
           StudentModule row itself (``get_state_as_dict``), and the workbench gets the same
           service over its own table. The read is current because handlers run outside a
           transaction (the LMS marks ``handle_xblock_callback`` ``non_atomic_requests``: each
           query commits on its own), and because of step 3 every earlier holder's write is
           committed before we get here;
        2. run the handler on that state;
        3. check that no stored learner field grew past FIELD_MAX_BYTES (else 400, nothing
           changed), make the class summary updates the handler asked for (count_in_class), and
           save before letting go, leaving nothing unsaved for the runtime's own save after the
           handler (it would write outside the lock).

        A runtime without the ``user_state`` service cannot read afresh. There a fingerprint of the
        state each holder saved, kept in the shared cache, shows whether our copy is older; if it
        is, the request gets 409 rather than overwriting (and the fingerprint is dropped, so a
        retry with a fresh copy passes). A lock that stays busy also gives 409, never a silent write.
        """
        lock = self.lock_for(self.learner_username())
        if not lock.acquire():
            raise self.busy_conflict()
        try:
            # A runtime that reads afresh needs no fingerprint, and its storage is its own: the LMS's
            # StudentModule rows are never written by a runtime without the service.
            fresh = self.reload_learner_state()
            fingerprint_key = None if fresh else self.cache_key("state", self.scope_ids.user_id)
            if not fresh:
                saved = lock.cache.get(fingerprint_key)
                if saved is not None and saved != self.state_fingerprint():
                    lock.cache.delete(fingerprint_key)
                    raise Conflict(self._("This activity was changed in another tab or window. "
                                          "Reload the page and try again."), stale=True)
            # Read afresh, the state this request starts from stays in storage until the save below:
            # refuse_oversize reads it again on the rare request that makes a field too large.
            before = None if fresh else self.stored_learner_fields()
            self.pending_counts = []
            try:
                yield
                self.refuse_oversize(before)
                self.save_counted(self.pending_counts)
            except BaseException:
                # A refused request writes nothing: neither here nor in the runtime's save after the handler.
                self.discard_learner_changes(before)
                raise
            else:
                self.save()
                if not fresh:
                    lock.cache.set(fingerprint_key, self.state_fingerprint(), FINGERPRINT_SECONDS)
            finally:
                self.pending_counts = None
        finally:
            lock.release()

    def write_outside_handler(self, write):
        """
        Run ``write`` (a function that reads the state and stores a change) under this learner's
        lock, for the writes a view makes: inside a handler the lock is already held; elsewhere it
        is taken, with the state read afresh. If another request of this learner holds it, nothing
        is written: that request writes its own, newer result.
        """
        if self.pending_counts is not None:  # a json_api handler of this request holds the lock
            write()
            return
        try:
            with self.learner_lock():
                write()
        except Conflict:
            log.info("%s: a view's write skipped while another request of the learner held the lock",
                     self.scope_ids.usage_id)

    def learner_username(self):
        """The current learner's username (the one identity every lock uses); the user id where there is none."""
        user = self.current_user()
        username = user.opt_attrs.get("edx-platform.username") if user else None
        return username or self.scope_ids.user_id

    def learner_state_fields(self):
        return [field for field in self.fields.values() if field.scope == Scope.user_state]

    def forget_learner_writes(self):
        """Nothing of this learner's fields is pending a save (their values stay as read)."""
        for field in self.learner_state_fields():
            self._dirty_fields.pop(field, None)

    def discard_learner_changes(self, before=None):
        """Every learner field back as ``before`` (``{name: JSON text}``; None: as storage holds it), unsaved."""
        if before is None:
            self.reload_learner_state()
        else:
            now = self.stored_learner_fields()
            for field in self.learner_state_fields():
                if before[field.name] is not None and now[field.name] != before[field.name]:
                    field.write_to(self, field.from_json(json.loads(before[field.name])))
        self.forget_learner_writes()

    def stored_learner_state(self, usage_id):
        """
        This learner's stored fields of block ``usage_id`` as storage holds them now, read through the
        platform's ``user_state`` service (the StudentModule row itself, not what the request
        preloaded); None when the runtime has no such service.
        """
        service = self.runtime.service(self, "user_state")
        user = self.current_user()
        username = user.opt_attrs.get("edx-platform.username") if user else None
        if service is None or not username:
            return None
        return service.get_state_as_dict(username, usage_id) or {}

    def reload_learner_state(self):
        """Replace this learner's fields with what storage holds now; False when the runtime cannot read it."""
        stored = self.stored_learner_state(self.scope_ids.usage_id)
        if stored is None:
            return False
        for field in self.learner_state_fields():
            if field.name in stored:
                try:
                    value = field.from_json(stored[field.name])
                except (TypeError, ValueError):
                    value = stored[field.name]  # garbled: the block's own read handles it
                field.write_to(self, value)
            elif field.is_set_on(self):
                # Not stored: forget our copy without a deletion, which storage would write at once.
                self._field_data_cache.pop(field.name, None)
                self._dirty_fields.pop(field, None)
                if field.is_set_on(self):
                    field.delete_from(self)
        self.forget_learner_writes()  # what storage holds needs no saving back
        return True

    def stored_learner_fields(self):
        """``{name: JSON text}`` of this learner's fields as they would be stored now."""
        stored = {}
        for field in self.learner_state_fields():
            try:
                stored[field.name] = json.dumps(field.to_json(field.read_from(self)), sort_keys=True)
            except (TypeError, ValueError):
                stored[field.name] = None  # garbled: the block's own read handles it
        return stored

    def state_fingerprint(self):
        """A digest of this learner's fields as stored, to tell whether a copy is current."""
        text = json.dumps(self.stored_learner_fields(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def refuse_oversize(self, before=None):
        """
        400, with every field put back as it was in ``before`` (``{name: JSON text}``; None: as
        storage holds it), when a field this request changed would be stored larger than
        FIELD_MAX_BYTES. Histories are trimmed oldest first to fit (core.state.keep_newest), so only
        a single entry that is too large on its own gets here.
        """
        now = self.stored_learner_fields()
        if not any(text is not None and len(text) > FIELD_MAX_BYTES for text in now.values()):
            return
        if before is None:
            self.reload_learner_state()
            before = self.stored_learner_fields()
            for field in self.learner_state_fields():  # this request's values again, until refused
                if now[field.name] is not None and now[field.name] != before[field.name]:
                    field.write_to(self, field.from_json(json.loads(now[field.name])))
        grown = [name for name, text in now.items()
                 if text != before[name] and text is not None and len(text) > FIELD_MAX_BYTES]
        if not grown:
            return
        for field in self.learner_state_fields():
            if now[field.name] != before[field.name] and before[field.name] is not None:
                field.write_to(self, field.from_json(json.loads(before[field.name])))
        raise PayloadError("", N_("This is more than this activity can keep for you. "
                                  "Shorten what you wrote, then try again."))

    def own_user_state(self):
        """This learner's stored fields, as the platform's user-state client returns a learner's row."""
        return {
            name: self.fields[name].to_json(getattr(self, name))
            for name in self.user_state_fields
            if self.fields[name].scope == Scope.user_state
        }

    def learner_summary(self):
        """For the learning plan: the current learner's state in plain terms (see ``summarize_state``)."""
        return self.summarize_state(self.own_user_state())

    def summarize_state(self, state):  # pylint: disable=unused-argument
        """A learner's stored state (``{field name: value}``) in the plain terms the learning plan reads."""
        return {}

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):  # pylint: disable=unused-argument
        """This learner's own state as JSON, for the mobile apps (GET)."""
        return json_response(self.own_user_state())
