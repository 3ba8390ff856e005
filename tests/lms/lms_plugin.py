"""
pytest plugin for the real-LMS tier (``make test-lms`` loads it with ``-p tests.lms.lms_plugin``).

1. The platform's own top-level conftest stubs django-webpack-loader (its bundles exist only after a
   webpack build); pytest loads that conftest only for tests inside the platform tree, so the same
   stub is made here: LMS pages render with no bundle tags.
2. Without a MongoDB (``EDXAPP_TEST_MONGO_HOST``/``PORT``, default localhost:27017, unreachable) and
   with ``mongomock`` installed, the platform's Mongo connections (split modulestore, GridFS
   contentstore, all made by ``pymongo.MongoClient`` looked up at call time) go to one in-memory
   server per host and port. ``LMS_MONGOMOCK=1`` forces it, ``0`` forbids it. A Tutor LMS container
   has its MongoDB and needs none of this.
"""
import os
import socket
import threading

import pytest


def mongo_reachable():
    host = os.environ.get("EDXAPP_TEST_MONGO_HOST", "localhost")
    port = int(os.environ.get("EDXAPP_TEST_MONGO_PORT", "27017"))
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def use_in_memory_mongo():
    """Point pymongo at mongomock: clients of one host and port share one server, as with a real one."""
    # pylint: disable=import-outside-toplevel,import-error
    import mongomock
    import mongomock.gridfs
    import pymongo
    servers, lock = {}, threading.Lock()

    def server_of(host, port):
        with lock:
            return servers.setdefault((str(host or "localhost"), int(port or 27017)), mongomock.store.ServerStore())

    class InMemoryClient(mongomock.MongoClient):
        """mongomock's client, minus the connection options only pymongo knows."""

        def __init__(self, host=None, port=None, *args, **kwargs):
            for name in ("w", "username", "password", "authSource", "replicaSet", "ssl", "tls", "retryWrites",
                         "serverSelectionTimeoutMS", "connectTimeoutMS", "socketTimeoutMS", "_store"):
                kwargs.pop(name, None)
            super().__init__(host, port, *args, _store=server_of(host, port), **kwargs)

    original_command = mongomock.database.Database.command

    def command(self, name, **kwargs):
        """The server-status commands the modulestore sends as heartbeats; mongomock knows only ping."""
        text = name if isinstance(name, str) else next(iter(name), "")
        if str(text).lower() in ("ismaster", "hello", "buildinfo", "serverstatus"):
            return {"ok": 1.0, "ismaster": True, "isWritablePrimary": True, "version": "7.0.0", "maxWireVersion": 21}
        return original_command(self, name, **kwargs)

    mongomock.database.Database.command = command
    mongomock.gridfs.enable_gridfs_integration()
    pymongo.MongoClient = pymongo.mongo_client.MongoClient = InMemoryClient


_choice = os.environ.get("LMS_MONGOMOCK", "auto")
if _choice == "1" or (_choice == "auto" and not mongo_reachable()):
    use_in_memory_mongo()  # at import: before pytest-django sets Django (and the modulestore) up


@pytest.fixture(autouse=True)
def no_webpack_bundles(monkeypatch):
    # pylint: disable=import-outside-toplevel,import-error
    import webpack_loader.templatetags.webpack_loader as tags
    import webpack_loader.utils as utils
    monkeypatch.setattr(tags, "render_bundle", lambda *args, **kwargs: "")
    monkeypatch.setattr(utils, "get_as_tags", lambda *args, **kwargs: [])
    monkeypatch.setattr(utils, "get_files", lambda *args, **kwargs: [])
