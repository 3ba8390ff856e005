"""
SQLite for a workbench served by several processes: every transaction takes the write lock when it
begins (``BEGIN IMMEDIATE``), waiting for it up to the connection's timeout.

With SQLite's default deferred transactions, one that reads and then writes (Django's database
cache does so for ``add`` and ``set``) fails at once with "database is locked" when another
process wrote in between, and the cache swallows that error: a lock or a count copy would silently
not be stored. Django 5.1's ``transaction_mode`` option does the same; Open edX Teak runs 4.2.
"""
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self):
        self.cursor().execute("BEGIN IMMEDIATE")
