#!/usr/bin/env python3
"""Database outage test (PostgreSQL): stop PostgreSQL under a steady read+write load, then start it again,
without ever restarting the xref server.

    outage.py --xref /path/to/published/xref [--threads 16] [--timeout 150] [--stop-mode fast|immediate|freeze]

Runs on a throwaway PostgreSQL cluster from scripts/with-postgres.sh (the one the test suite and the benchmark
use), which it stops and starts, or freezes, through the variables that script exports (XREF_PG_BIN, XREF_PG_DATA,
XREF_PG_LOG, XREF_PG_URL, ...). Started without them, it runs itself again under scripts/with-postgres.sh with
XREF_PG_SETTINGS="-c max_connections=200": PostgreSQL's durability defaults, not the test suite's fsync=off and
synchronous_commit=off. Run under a cluster with synchronous_commit=off, it refuses (a stop may then lose
acknowledged writes by design). scripts/with-postgres.sh removes the cluster when the run ends; a failed run keeps
the cluster's log in its work directory. Phases:
  before  ~3 s of load, every request must answer 200;
  outage  `pg_ctl stop -m fast`, then ~5 s during which every request must answer 503 within 5 s, with
          {"errors":[{"type":"system","message":...}]} and a Retry-After header; GET /ready must answer 503 too;
  after   `pg_ctl start`; the service must serve 200 again (and keep doing so) within 10 s.
Then every key is read back: the stored state must be the effect of an acknowledged write that no later
acknowledged write overwrote, or of a write whose outcome is unknown (a 503 may or may not have committed);
see faultlib.allowed_states. Exit status 0 only if all of that holds.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402

OUTAGE_LIMIT = 5.0      # seconds within which every request must complete during the outage
RECOVERY_LIMIT = 10.0   # seconds after PostgreSQL is back within which the service must serve 200 again


# The cluster's settings when outage.py has scripts/with-postgres.sh start it: durability stays at PostgreSQL's
# defaults, so that no stop mode may lose a committed write.
PG_SETTINGS = "-c max_connections=200"
WITH_POSTGRES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                             "scripts", "with-postgres.sh")


class Cluster:
    """The cluster scripts/with-postgres.sh started for this run, from the variables it exports. Its settings
    (port, socket folder, XREF_PG_SETTINGS) are in its postgresql.conf, so a plain `pg_ctl start` restarts it as it was."""

    def __init__(self):
        missing = [v for v in ("XREF_PG_BIN", "XREF_PG_DATA", "XREF_PG_LOG", "XREF_PG_PORT", "XREF_PG_URL") if not os.environ.get(v)]
        if missing:
            raise F.Failure(f"{', '.join(missing)} not set: run outage.py on its own or under scripts/with-postgres.sh")
        env = os.environ
        self.pg_bin, self.data, self.log = env["XREF_PG_BIN"], env["XREF_PG_DATA"], env["XREF_PG_LOG"]
        self.port, self.admin_url = int(env["XREF_PG_PORT"]), env["XREF_PG_URL"]

    def tool(self, name, *args, timeout=60):
        cmd = F.as_pg([os.path.join(self.pg_bin, name), *args])
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise F.Failure(f"{name} {' '.join(args[:3])} failed: {proc.stderr.strip()} {proc.stdout.strip()}")
        return proc.stdout

    def start(self):
        self.tool("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "30", "start")

    def stop(self, mode="fast"):
        self.tool("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop")

    def pids(self):
        """The postmaster and all its children (for --stop-mode freeze)."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            master = int(f.readline())
        pids = [master]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                            pids.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return pids

    def signal_all(self, sig):
        for pid in self.pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def resume_quietly(self):
        """SIGCONT, in case the run ends while the cluster is frozen; scripts/with-postgres.sh stops and removes it."""
        try:
            self.signal_all(signal.SIGCONT)
        except Exception:
            pass

    def url(self, db):
        return F.with_database(self.admin_url, db)


def check_503(op):
    """Why `op` is not a proper outage answer, or None if it is."""
    if op.status != 503:
        return f"status {op.status}"
    if not op.headers.get("retry-after"):
        return "no Retry-After header"
    try:
        doc = json.loads(op.body)
        errs = doc["errors"]
        if set(doc) != {"errors"} or not errs or any(e.get("type") != "system" or not isinstance(e.get("message"), str)
                                                     or not e["message"] for e in errs):
            return f"body {op.body[:200]!r}"
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"body is not the error JSON: {op.body[:200]!r}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xref", required=True, help="the published xref executable")
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--before", type=float, default=3.0, help="seconds of load before the outage")
    ap.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL stays down")
    ap.add_argument("--stop-mode", choices=["fast", "immediate", "freeze"], default="fast",
                    help="how PostgreSQL goes away: pg_ctl stop -m fast (default) or immediate, or freeze = SIGSTOP "
                         "of every PostgreSQL process (a hung server / network partition; SIGCONT brings it back)")
    ap.add_argument("--client-timeout", type=float, default=15.0, help="socket timeout of each request, seconds")
    ap.add_argument("--timeout", type=int, default=150, help="hard bound on the whole run, seconds")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    xref = os.path.abspath(args.xref)

    if not os.environ.get("XREF_PG_DATA"):
        # No cluster yet: run again under scripts/with-postgres.sh, which creates one and removes it afterwards.
        env = {**os.environ, "XREF_PG_SETTINGS": PG_SETTINGS}
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(WITH_POSTGRES, [WITH_POSTGRES, sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)

    F.install_hard_timeout(args.timeout)
    began = time.monotonic()
    workdir = F.make_workdir("xref-outage.")
    os.chmod(workdir, 0o755)
    cluster = server = None
    ok = False
    stop = threading.Event()
    threads = []
    try:
        cluster = Cluster()
        sync = F.psql(cluster.admin_url, "SHOW synchronous_commit").strip()
        if sync == "off":
            raise F.Failure("the cluster runs with synchronous_commit=off, where a stop may lose acknowledged writes "
                            f"by design; run outage.py on its own, or with XREF_PG_SETTINGS=\"{PG_SETTINGS}\"")
        F.psql(cluster.admin_url, "CREATE DATABASE xref")
        database = cluster.url("xref")
        F.log(f"outage: PostgreSQL on 127.0.0.1:{cluster.port} (scripts/with-postgres.sh), work dir {workdir}")

        token = F.setup_data(xref, database, workdir)
        port = F.free_port()
        server = F.Server(xref, database, port, os.path.join(workdir, "server.log"))
        server.start()
        F.log(f"outage: server up on 127.0.0.1:{port}; {args.threads} threads")

        ops_lock = threading.Lock()
        all_ops = []
        errors = []

        def record(op):
            with ops_lock:
                all_ops.append(op)

        def worker(n):
            try:
                rng = random.Random(n * 104729 + int(time.time()))
                client = F.Client(port, token, timeout=args.client_timeout)
                seq = 0
                while not stop.is_set():
                    seq += 1
                    key = F.rand_key(rng)
                    if rng.random() < 0.6:
                        value = f"o{n}-{seq}-{uuid.uuid4().hex[:8]}"
                        op = F.Op("upsert", key, value=value)
                        record(op)
                        op.finish(*client.request_full("POST", "/api/v1/external_references/create_or_update", F.upsert_body(key, value)))
                        if op.status == 200:
                            ref = F.parse_single(op.body)
                            if ref["service_model_ref"] != value:
                                errors.append(f"create_or_update answered {ref} for {key}={value}")
                    else:
                        op = F.Op("read", key)
                        record(op)
                        op.finish(*client.request_full("GET", F.key_query(key)))
                    if op.status is None:
                        time.sleep(0.05)  # a transport error: do not spin
                client.close()
            except Exception as e:
                errors.append(f"worker {n} crashed: {e!r}")

        def ready_poller():
            client = F.Client(port, token, timeout=args.client_timeout)
            while not stop.is_set():
                op = F.Op("ready", None)
                record(op)
                op.finish(*client.request_full("GET", "/ready"))
                time.sleep(0.2)
            client.close()

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.threads)]
        threads.append(threading.Thread(target=ready_poller, daemon=True))
        for t in threads:
            t.start()

        time.sleep(args.before)
        t_stop_begin = time.monotonic()
        if args.stop_mode == "freeze":
            cluster.signal_all(signal.SIGSTOP)
        else:
            cluster.stop(args.stop_mode)
        t_stopped = time.monotonic()
        F.log(f"outage: PostgreSQL stopped ({args.stop_mode}, took {t_stopped - t_stop_begin:.2f} s)")
        time.sleep(args.outage)
        t_start_begin = time.monotonic()
        if args.stop_mode == "freeze":
            cluster.signal_all(signal.SIGCONT)
        else:
            cluster.start()
        t_started = time.monotonic()
        F.log(f"outage: PostgreSQL back (took {t_started - t_start_begin:.2f} s)")

        # Keep the load on until the service has answered only 200s for 2 s, or RECOVERY_LIMIT + 2 s have passed.
        while time.monotonic() - t_started < RECOVERY_LIMIT + 2:
            time.sleep(0.25)
            now = time.monotonic()
            with ops_lock:
                recent = [op for op in all_ops if op.start >= now - 2 and op.end is not None]
                late_bad = [op for op in all_ops if op.start >= t_started and op.end is not None and op.status != 200]
            if now - t_started > 2 and recent and all(op.status == 200 for op in recent) and \
                    (not late_bad or max(op.start for op in late_bad) < now - 2):
                break
        stop.set()
        for t in threads:
            t.join(20)
        if any(t.is_alive() for t in threads):
            raise F.Failure("load threads did not finish")
        ops = list(all_ops)

        # --- judge -------------------------------------------------------------------------------------------
        problems = []
        before = [op for op in ops if op.end is not None and op.end < t_stop_begin]
        outage = [op for op in ops if op.start >= t_stopped and op.end is not None and op.end <= t_start_begin]
        started_in_outage = [op for op in ops if t_stop_begin <= op.start <= t_start_begin]
        after = [op for op in ops if op.start >= t_started]
        other_5xx = [op for op in ops if op.status is not None and op.status >= 500 and op.status != 503]
        transport = [op for op in ops if op.status is None]

        for op in before:
            if op.status != 200:
                problems.append(f"before the outage: {op.kind} {op.key} answered {op.status} {op.body[:200]!r}")
        bad_outage = [(op, why) for op in outage for why in [check_503(op)] if why]
        for op, why in bad_outage[:10]:
            problems.append(f"during the outage: {op.kind} {op.key}: {why}")
        if len(bad_outage) > 10:
            problems.append(f"... and {len(bad_outage) - 10} more improper answers during the outage")
        ready_outage = [op for op in outage if op.kind == "ready"]
        if not ready_outage:
            problems.append("no GET /ready completed during the outage")
        max_latency = max((op.latency for op in started_in_outage), default=0.0)
        slow = [op for op in started_in_outage if op.latency > OUTAGE_LIMIT]
        for op in slow[:10]:
            problems.append(f"during the outage: {op.kind} {op.key} took {op.latency:.1f} s (status {op.status})")
        if len(outage) < args.threads:
            problems.append(f"only {len(outage)} requests completed during the outage")
        for op in other_5xx[:10]:
            problems.append(f"{op.kind} {op.key}: {op.status} {op.body[:200]!r}")
        for op in transport[:10]:
            problems.append(f"{op.kind} {op.key}: no response: {op.body[:200]!r}")

        # Recovery: the earliest request after which every request started answered 200.
        recovered_at = None
        for op in sorted(after, key=lambda o: o.start, reverse=True):
            if op.status != 200:
                break
            recovered_at = op.start
        if recovered_at is None:
            problems.append("the service never served 200 again after PostgreSQL came back")
            recovery = float("inf")
        else:
            recovery = max(0.0, recovered_at - t_started)
            if recovery > RECOVERY_LIMIT:
                problems.append(f"the service took {recovery:.1f} s to serve 200 again (limit {RECOVERY_LIMIT:.0f} s)")
        after_not_200 = [op for op in after if op.status != 200]
        if server.proc.poll() is not None:
            problems.append(f"the server process exited ({server.proc.returncode})")

        # Every acknowledged write must be there (or overwritten by a later one).
        client = F.Client(port, token, timeout=20)
        stored = F.list_all(client)
        client.close()
        writes = [op for op in ops if op.kind == "upsert"]
        by_key = {}
        for op in writes:
            by_key.setdefault(op.key, []).append(op)
        verified, lost, lost_problems = F.verify(by_key, stored, F.ALL_KEYS)
        acked = [op for op in writes if op.status == 200]
        problems.extend("LOST " + p for p in lost_problems[:20])
        problems.extend(errors[:10])

        for p in problems:
            print("PROBLEM " + p)
        print(f"outage test (postgres): before {len(before)} requests, outage {len(outage)} requests "
              f"({len(ready_outage)} GET /ready), {len(after)} after restart "
              f"({len(after_not_200)} of them not 200); PostgreSQL down ({args.stop_mode}) {t_start_begin - t_stopped:.1f} s")
        for kind in ("upsert", "read", "ready"):
            mine = [op for op in started_in_outage if op.kind == kind]
            statuses = {}
            for op in mine:
                statuses[op.status] = statuses.get(op.status, 0) + 1
            print(f"  started during the outage, {kind}: {len(mine)} requests, statuses {statuses}, "
                  f"max latency {max((op.latency for op in mine), default=0.0):.2f} s")
        print(f"recovery: 200 again {recovery:.2f} s after PostgreSQL was back, without restarting the server")
        print(f"operations acknowledged: {len(acked)}")
        print(f"operations verified after restart: {verified}")
        print(f"lost: {lost}")
        print(f"5xx other than 503: {len(other_5xx)}")
        print(f"max latency during outage: {max_latency:.2f} s")
        print(f"run time: {time.monotonic() - began:.1f} s")
        ok = not problems and lost == 0 and len(acked) > 0
        print("RESULT: " + ("PASS" if ok else "FAIL"))
    except (F.Failure, F.HardTimeout) as e:
        print(f"outage test: FAIL: {e}")
        if server:
            print(server.tail())
        ok = False
    finally:
        signal.alarm(0)
        stop.set()
        if server:
            server.kill9()
        if cluster:
            cluster.resume_quietly()
        if args.keep or not ok:
            if cluster:
                try:
                    shutil.copy(cluster.log, os.path.join(workdir, "postgres.log"))
                except OSError:
                    pass
            F.log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
