"""
The workbench's field storage, read and written as the LMS does it.

The SDK's key-value store runs a get-or-create query (and a JSON parse) for every field it is
asked about, ``has`` and ``get`` alike, and a read and a write for every field it saves. The
LMS instead loads each StudentModule row once per request into its FieldDataCache, parses it
once, and writes each row once when the block saves (a find-or-create and an update).
``RequestFieldData`` does the same over the workbench's table: the settings make it the
``field-data`` service, and since the workbench builds one runtime (so one service) per
request, rows are cached for one request only.
"""
import contextlib
import json
from collections import namedtuple

from django.db import connection, transaction
from workbench.models import XBlockState, shorten_scope_name
from xblock.fields import Scope
from xblock.runtime import KeyValueStore, KvsFieldData

Row = namedtuple("Row", "scope scope_id user_id")


def row_of(key):
    """Which workbench row holds ``key`` (the table keeps one JSON object per scope, block and user)."""
    if key.scope in (Scope.parent, Scope.children):
        scope = shorten_scope_name(key.scope.attr_name)
    else:
        scope = shorten_scope_name(key.scope.block.attr_name)
    return Row(scope, key.block_scope_id, key.user_id)


def read_row(row):
    """The fields stored in ``row``, parsed ({} when it was never written): one plain SELECT."""
    table = connection.ops.quote_name(XBlockState._meta.db_table)
    tests, params = [], []
    for column, value in zip(("scope", "scope_id", "user_id"), row):
        tests.append(f"{column} IS NULL" if value is None else f"{column} = %s")
        params += [] if value is None else [value]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state FROM {table} WHERE {' AND '.join(tests)} LIMIT 1", params)
        found = cursor.fetchone()
    return json.loads(found[0]) if found else {}


class RequestKeyValueStore(KeyValueStore):
    """
    Each row read at most once per request and parsed once; each save writes each changed row once.

    A save overlays the fields it changes on the row as stored at that moment (a find-or-create,
    then one update), as the LMS's user-state client does, so it never undoes what another request
    saved meanwhile in other fields of the row.
    """

    def __init__(self):
        self.rows = {}

    def _fields(self, row):
        if row not in self.rows:
            self.rows[row] = read_row(row)
        return self.rows[row]

    def get(self, key):
        return self._fields(row_of(key))[key.field_name]

    def has(self, key):
        return key.field_name in self._fields(row_of(key))

    def set(self, key, value):
        self.set_many({key: value})

    def delete(self, key):
        self._write(row_of(key), {}, [key.field_name])

    def set_many(self, update_dict):
        changes = {}
        for key, value in update_dict.items():
            changes.setdefault(row_of(key), {})[key.field_name] = value
        for row, values in changes.items():
            self._write(row, values, [])

    def _write(self, row, values, deleted):
        scenario, tag = (None, row.scope_id) if row.scope in ("type", "all") else row.scope_id.split(".", 2)[:2]
        # Found by its row key alone (scenario and tag follow from the scope id): the key's index.
        record, created = XBlockState.objects.get_or_create(
            scope=row.scope, scope_id=row.scope_id, user_id=row.user_id,
            defaults={"scenario": scenario, "tag": tag, "state": json.dumps(values, sort_keys=True)})
        fields = dict(values) if created else dict(json.loads(record.state), **values)
        for name in deleted:
            fields.pop(name, None)
        if not created:
            XBlockState.objects.filter(pk=record.pk).update(state=json.dumps(fields, sort_keys=True))
        self.rows[row] = fields


class RequestFieldData(KvsFieldData):
    """The ``field-data`` service: one per workbench runtime, that is, one per request."""

    runtime = None  # set by the workbench when it loads the service

    def __init__(self):
        super().__init__(RequestKeyValueStore())

    def default(self, block, name):
        """No defaults of its own (as the SDK's store): the field's. Skips building a key and its repr."""
        raise KeyError(name)


def save_transaction(block):
    """
    One transaction for a block's save where its fields live in the workbench's table (the
    ``PERSONALIZED_PATH_SAVE_TRANSACTION`` of the workbench); none for other storage (the tests'
    in-memory store).
    """
    field_data = block._field_data  # pylint: disable=protected-access
    if isinstance(field_data, RequestFieldData):
        return _atomic_rows(field_data._kvs)  # pylint: disable=protected-access
    return contextlib.nullcontext()


def plan_summaries(block):
    """
    The plugin's class summary store (``PERSONALIZED_PATH_PLAN_SUMMARIES`` of the workbench) for blocks
    whose fields live in the workbench's table; None for other storage, whose grid reads learner state.
    """
    if isinstance(block._field_data, RequestFieldData):  # pylint: disable=protected-access
        # pylint: disable=import-outside-toplevel
        from personalized_path.openedx.summaries import plan_summaries as store
        return store(block)
    return None


def progress_updates(block):
    """
    The plugin's progress-update store (``PERSONALIZED_PATH_PROGRESS_UPDATES`` of the workbench) for blocks
    whose fields live in the workbench's database; None for the tests' memory storage (no section there).
    """
    if isinstance(block._field_data, RequestFieldData):  # pylint: disable=protected-access
        # pylint: disable=import-outside-toplevel
        from personalized_path.openedx.updates import progress_updates as store
        return store(block)
    return None


@contextlib.contextmanager
def _atomic_rows(store):
    """The transaction, and on its rollback the rows it wrote read again: our copies would hold what was undone."""
    try:
        with transaction.atomic():
            yield
    except Exception:
        store.rows.clear()
        raise
