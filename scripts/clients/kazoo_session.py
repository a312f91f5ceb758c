#!/usr/bin/env python3
"""A scripted kazoo session; prints one line per step, comparable across servers.

usage: kazoo_session.py HOST:PORT
"""
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.security import make_digest_acl


def main(hosts):
    zk = KazooClient(hosts=hosts, timeout=10)
    zk.start(timeout=15)
    other = KazooClient(hosts=hosts, timeout=10)
    other.start(timeout=15)
    events = []
    changed = threading.Event()

    def step(label, fn):
        try:
            print(f"{label}: {fn()}")
        except KazooException as error:
            print(f"{label}: {type(error).__name__}")

    def stat(s):
        return f"version={s.version} cversion={s.cversion} aversion={s.aversion} length={s.dataLength} children={s.numChildren} czxid={s.czxid} mzxid={s.mzxid} pzxid={s.pzxid}"

    step("create", lambda: zk.create("/kz", b"v1"))
    step("create existing", lambda: zk.create("/kz", b"v1"))
    step("get", lambda: (zk.get("/kz")[0], stat(zk.get("/kz")[1])))
    step("set", lambda: stat(zk.set("/kz", b"v2", version=0)))
    step("set bad version", lambda: zk.set("/kz", b"v3", version=0))
    step("ensure_path", lambda: zk.ensure_path("/kz/a/b/c"))
    step("children", lambda: sorted(zk.get_children("/kz")))
    step("sequence", lambda: zk.create("/kz/q-", b"", sequence=True))
    step("ephemeral", lambda: zk.create("/kz/e", b"", ephemeral=True))

    def on_data(data, s, event=None):
        events.append(("data", data, event.type if event else None))
        if event:
            changed.set()

    zk.DataWatch("/kz", on_data)
    other.set("/kz", b"v3")
    changed.wait(5)
    step("data watch", lambda: events)

    acl = make_digest_acl("alice", "pw", all=True)
    step("create acl", lambda: zk.create("/kz/secret", b"s", acl=[acl]))
    step("read without auth", lambda: other.get("/kz/secret")[0])
    other.add_auth("digest", "alice:pw")
    step("read with auth", lambda: other.get("/kz/secret")[0])
    step("acls", lambda: [(a.perms, a.id.scheme, a.id.id) for a in zk.get_acls("/kz/secret")[0]])

    tx = zk.transaction()
    tx.check("/kz", 2)
    tx.create("/kz/t1", b"t")
    tx.set_data("/kz/t1", b"u")
    step("transaction", lambda: [str(r) for r in tx.commit()])
    tx = zk.transaction()
    tx.create("/kz/t2", b"t")
    tx.check("/kz", 99)
    step("failed transaction", lambda: [type(r).__name__ for r in tx.commit()])
    step("t2 absent", lambda: zk.exists("/kz/t2"))
    # Children come in no defined order: with every node readable, the outcome does not depend on it.
    zk.add_auth("digest", "alice:pw")
    step("delete recursive", lambda: zk.delete("/kz", recursive=True))
    step("gone", lambda: zk.exists("/kz"))
    zk.stop()
    other.stop()
    print("done")


if __name__ == "__main__":
    main(sys.argv[1])
