#!/usr/bin/env python3
"""Crash test: kill -9 the xref server in the middle of a write load, restart it, and check that no
acknowledged write was lost and nothing impossible was stored.

    crash.py --xref /path/to/published/xref --db sqlite|postgres [--threads 32] [--load-seconds 8] [--timeout 120]

--db postgres needs XREF_PG_URL (postgres://user@host:port/db of a cluster it may CREATE DATABASE on; see
scripts/with-postgres.sh). --db sqlite uses a temporary file and runs PRAGMA integrity_check afterwards.

Per key (Workspace 1..200 x 3 service names) the load records every operation: create_or_update with a unique
service_model_ref, and DELETE of a reference id seen earlier. After the restart the stored state of every key
must be the effect of an acknowledged write that no later acknowledged write overwrote, or of a write whose
outcome is unknown (in flight at the kill); see faultlib.allowed_states. Exit status 0 only if lost = 0, 5xx = 0
and (SQLite) integrity_check = ok.
"""

import argparse
import os
import random
import shutil
import sqlite3
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xref", required=True, help="the published xref executable")
    ap.add_argument("--db", required=True, choices=["sqlite", "postgres"])
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--load-seconds", type=float, default=8.0)
    ap.add_argument("--delete-ratio", type=float, default=0.2)
    ap.add_argument("--timeout", type=int, default=120, help="hard bound on the whole run, seconds")
    ap.add_argument("--sabotage", type=int, default=0, metavar="N",
                    help="self-test of the checker: delete N stored references directly in the database between the kill "
                         "and the restart, as a lossy server would; the run must then FAIL with lost >= 1")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, SQLite file)")
    args = ap.parse_args()
    xref = os.path.abspath(args.xref)

    F.install_hard_timeout(args.timeout)
    began = time.monotonic()
    workdir = F.make_workdir("xref-crash.")
    server = None
    pg_admin = pg_db = None
    ok = False
    try:
        if args.db == "sqlite":
            dbfile = os.path.join(workdir, "xref.db")
            database = "sqlite:" + dbfile
        else:
            pg_admin = os.environ.get("XREF_PG_URL")
            if not pg_admin:
                raise F.Failure("--db postgres needs XREF_PG_URL (run under scripts/with-postgres.sh)")
            pg_db = "xref_crash_" + uuid.uuid4().hex[:10]
            F.psql(pg_admin, f"CREATE DATABASE {pg_db}")
            database = F.with_database(pg_admin, pg_db)
        F.log(f"crash[{args.db}]: database {database if args.db == 'sqlite' else pg_db}, work dir {workdir}")

        token = F.setup_data(xref, database, workdir)
        port = F.free_port()
        server = F.Server(xref, database, port, os.path.join(workdir, "server.log"))
        server.start()
        F.log(f"crash[{args.db}]: server up on 127.0.0.1:{port}; {args.threads} threads for {args.load_seconds} s")

        ops_lock = threading.Lock()
        all_ops = []
        known_ids = {}          # reference id -> key, from create_or_update responses
        id_list = []
        stop = threading.Event()
        killed = threading.Event()
        fivexx = []
        unexpected = []

        def worker(n):
            try:
                work(n)
            except Exception as e:  # a bug in the script or a malformed response: fail loudly, not silently
                unexpected.append(f"worker {n} crashed: {e!r}")

        def work(n):
            rng = random.Random(n * 7919 + int(time.time()))
            client = F.Client(port, token, timeout=20)
            seq = 0
            while not stop.is_set():
                seq += 1
                with ops_lock:
                    target = rng.choice(id_list) if id_list and rng.random() < args.delete_ratio else None
                if target is not None:
                    op = F.Op("delete", known_ids[target], ref_id=target)
                    with ops_lock:
                        all_ops.append(op)
                    op.finish(*client.request_full("DELETE", f"/api/v1/external_references/{target}"))
                else:
                    key = F.rand_key(rng)
                    value = f"t{n}-{seq}-{uuid.uuid4().hex[:8]}"
                    op = F.Op("upsert", key, value=value)
                    with ops_lock:
                        all_ops.append(op)
                    op.finish(*client.request_full("POST", "/api/v1/external_references/create_or_update", F.upsert_body(key, value)))
                    if op.status == 200:
                        ref = F.parse_single(op.body)
                        if ref["service_model_ref"] != value or (ref["subject_id"], ref["service_name"]) != key:
                            unexpected.append(f"create_or_update answered {ref} for {key}={value}")
                        with ops_lock:
                            if ref["id"] not in known_ids:
                                known_ids[ref["id"]] = key
                                id_list.append(ref["id"])
                if op.status is not None and op.status >= 500:
                    fivexx.append(f"{op.kind} {op.key}: {op.status} {op.body[:200]!r}")
                elif op.status is not None and not (op.status in (200, 204) or (op.kind == "delete" and op.status == 404)):
                    unexpected.append(f"{op.kind} {op.key}: {op.status} {op.body[:200]!r}")
                elif op.status is None and not killed.is_set():
                    unexpected.append(f"{op.kind} {op.key}: transport error before the kill: {op.body[:200]!r}")
                if op.status is None:
                    time.sleep(0.01)  # the server is gone: do not spin
            client.close()

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.threads)]
        for t in threads:
            t.start()
        time.sleep(args.load_seconds)
        # SIGKILL while the threads keep sending: the requests in flight when it lands have an unknown outcome.
        killed.set()
        kill_time = time.monotonic()
        server.kill9()            # returns once the process is dead and reaped
        dead_time = time.monotonic()
        stop.set()
        with ops_lock:
            in_flight_at_kill = sum(1 for op in all_ops if op.start <= kill_time and (op.end is None or op.end > kill_time))
        for t in threads:
            t.join(max(1.0, 30 - (time.monotonic() - kill_time)))
        if any(t.is_alive() for t in threads):
            raise F.Failure("load threads did not finish after the kill")
        # A request that started after the process was reaped never reached a server: it certainly changed nothing
        # (counting it as "unknown" would only weaken the check).
        ops = [op for op in all_ops if op.start < dead_time]
        acked = [op for op in ops if op.status in (200, 204, 404)]
        unknown = [op for op in ops if op.status is None and op.sent]
        F.log(f"crash[{args.db}]: killed -9 with {in_flight_at_kill} requests in flight; "
              f"{len(acked)} acknowledged, {len(unknown)} without response")

        if args.sabotage:
            sql = ("DELETE FROM external_references WHERE id IN "
                   f"(SELECT id FROM external_references ORDER BY random() LIMIT {args.sabotage})")
            if args.db == "sqlite":
                con = sqlite3.connect(dbfile)
                con.execute(sql)
                con.commit()
                con.close()
            else:
                F.psql(database, sql)
            F.log(f"crash[{args.db}]: SABOTAGE: deleted {args.sabotage} stored references behind the server's back")

        server = F.Server(xref, database, port, os.path.join(workdir, "server2.log"))
        restart_began = time.monotonic()
        server.start()
        F.log(f"crash[{args.db}]: restarted in {time.monotonic() - restart_began:.1f} s; verifying")
        client = F.Client(port, token, timeout=20)
        stored = F.list_all(client)
        # Cross-check a sample of keys through the filtered GET a client would use.
        rng = random.Random(1)
        for key in rng.sample(F.ALL_KEYS, 100):
            status, _, payload = client.request("GET", F.key_query(key))
            if status != 200:
                (fivexx if status and status >= 500 else unexpected).append(f"GET {key}: {status} {payload[:200]!r}")
                continue
            ref = F.parse_single(payload)
            got = [(ref["id"], ref["service_model_ref"])] if ref else []
            if got != stored.get(key, []):
                unexpected.append(f"GET {key} gives {got} but the listing gives {stored.get(key, [])}")
        client.close()
        server.stop()

        by_key = {}
        for op in ops:
            by_key.setdefault(op.key, []).append(op)
        verified, lost, problems = F.verify(by_key, stored, F.ALL_KEYS)

        integrity = "n/a"
        if args.db == "sqlite":
            con = sqlite3.connect(dbfile)
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.close()

        for p in problems[:20]:
            print("LOST " + p)
        for p in fivexx[:10]:
            print("5XX " + p)
        for p in unexpected[:10]:
            print("UNEXPECTED " + p)
        n_up = sum(1 for op in acked if op.kind == "upsert")
        n_del = sum(1 for op in acked if op.kind == "delete" and op.status == 204)
        print(f"crash test ({args.db}): {len(F.ALL_KEYS)} keys, {len(stored)} stored after restart; acknowledged: "
              f"{n_up} create_or_update, {n_del} DELETE 204, {len(acked) - n_up - n_del} DELETE 404; "
              f"{len(unknown)} operations with unknown outcome at the kill")
        print(f"operations acknowledged: {len(acked)}")
        print(f"operations verified after restart: {verified}")
        print(f"lost: {lost}")
        print(f"5xx: {len(fivexx)}")
        if args.db == "sqlite":
            print(f"integrity_check: {integrity}")
        print(f"run time: {time.monotonic() - began:.1f} s")
        ok = lost == 0 and not fivexx and not unexpected and integrity in ("ok", "n/a") and len(acked) > 0
        print("RESULT: " + ("PASS" if ok else "FAIL"))
    except (F.Failure, F.HardTimeout) as e:
        print(f"crash test ({args.db}): FAIL: {e}")
        if server:
            print(server.tail())
        ok = False
    finally:
        signal_cancel()
        if server:
            server.kill9()
        if pg_db:
            try:
                F.psql(pg_admin, f"DROP DATABASE IF EXISTS {pg_db}")
            except Exception as e:  # the throwaway cluster goes away anyway
                F.log(f"could not drop {pg_db}: {e}")
        if args.keep or not ok:
            F.log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


def signal_cancel():
    import signal
    signal.alarm(0)


if __name__ == "__main__":
    main()
