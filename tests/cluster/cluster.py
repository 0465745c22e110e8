#!/usr/bin/env python3
"""Several Xref nodes on one PostgreSQL, behind a round-robin balancer (issue 14). See tests/cluster/README.md.

Three nodes start at the same moment on one empty database, behind haproxy (round robin, health check on /ready).
Checks, in order:
  1. migrations ran once (one "Applied migration" line per migration over the three logs);
  2. rate limits are per node: a new token gets one burst per node through the balancer, one burst from one node;
  3. a token revoked by the CLI is refused by every node within 1 s;
  4. 32 clients (a token each) for 30 s of upserts, deletes, lists and status reports through the balancer, node 3
     killed with kill -9 at 12 s; meanwhile a walker pages Story references (order=created_at:asc) alternating
     between nodes 1 and 2 while a writer adds and updates Story references through the balancer: each walk returns
     each id at most once and every id that existed throughout. Only requests in flight on node 3 may fail;
  5. no duplicate key, no lost acknowledged write (faultlib's per-key check), every count equals COUNT(*), the count
     tables equal COUNT(*);
  6. a page boundary node 1 remembers is not used once another node's write changed the listing: after a delete on
     node 2, node 1's pages equal node 2's (OFFSET) pages, and node 1 counts the stale boundaries (its /metrics).
Needs XREF_PG_URL (run under scripts/with-postgres.sh) and haproxy. Standard library only.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
import faultlib as F  # noqa: E402

NODES = 3
STORY_SUBJECTS = 200


class Node(F.Server):
    """An xref node with the documented defaults (rate limit 50/200 per token per node) and --metrics."""

    def launch(self):
        env = {**os.environ, "Logging__LogLevel__Default": "Information", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
        env.pop("XREF_RATE_LIMIT", None)
        logf = open(self.logpath, "ab")
        self.proc = subprocess.Popen([self.xref, "--urls", f"http://127.0.0.1:{self.port}", "--database", self.database, "--metrics"],
                                     stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        logf.close()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise F.Failure(f"node on {self.port} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/ready")
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise F.Failure(f"node on {self.port} not ready within {timeout} s:\n{self.tail()}")

    def metric(self, name, label):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") and label in line:
                total += float(line[line.rindex("}") + 1:].split()[0])
        return total


def start_haproxy(workdir, ports):
    if not shutil.which("haproxy"):
        raise F.Failure("haproxy not found (tests/cluster/run.sh installs it with apt-get)")
    port = F.free_port()
    cfg = os.path.join(workdir, "haproxy.cfg")
    servers = "\n".join(f"    server n{i + 1} 127.0.0.1:{p} check" for i, p in enumerate(ports))
    with open(cfg, "w") as f:
        f.write(f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
frontend xref
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /ready
    default-server inter 200ms fall 1 rise 2
{servers}
""")
    log = open(os.path.join(workdir, "haproxy.log"), "ab")
    proc = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/ready")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.1)
    raise F.Failure("haproxy did not answer within 10 s")


def check_migrations(nodes):
    applied = {}
    for n in nodes:
        for m in re.findall(r"Applied migration (\S+)", open(n.logpath, errors="replace").read()):
            applied[m] = applied.get(m, 0) + 1
    twice = {m: c for m, c in applied.items() if c != 1}
    if not applied or twice:
        raise F.Failure(f"migrations not applied exactly once over the nodes: {applied}")
    F.log(f"1. migrations: {len(applied)} applied once in all, by {sum(1 for n in nodes if 'Applied migration' in open(n.logpath).read())} node(s)")


def accepted_burst(port, token, n, connections=8):
    """Sends n requests over `connections` keep-alive connections at once; returns (200s, 429s, seconds)."""
    counts = {200: 0, 429: 0}
    other = []
    lock = threading.Lock()

    def send(k):
        c = F.Client(port, token)
        for _ in range(k):
            status, _, _ = c.request("GET", "/api/v1/external_references?subject_type=Workspace&per_page=1")
            with lock:
                if status in counts:
                    counts[status] += 1
                else:
                    other.append(status)
        c.close()
    t0 = time.monotonic()
    threads = [threading.Thread(target=send, args=(n // connections,)) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if other:
        raise F.Failure(f"rate-limit probe answered {other[:5]}")
    return counts[200], counts[429], time.monotonic() - t0


def check_rate_limits(xref, database, lb_port, node):
    # The documented default: a bucket of 200 per token per node, refilled at 50/s.
    burst, rate = 200, 50
    t1 = F.run_cli(xref, ["tokens", "create", "--user", "1", "--scope", "read"], database).strip().splitlines()[-1]
    t2 = F.run_cli(xref, ["tokens", "create", "--user", "1", "--scope", "read"], database).strip().splitlines()[-1]
    ok, limited, secs = accepted_burst(node.port, t1, 400)
    if not (burst <= ok <= burst + rate * secs + 5) or not limited:
        raise F.Failure(f"one node accepted {ok} of 400 in {secs:.2f} s (expected {burst} + {rate}/s)")
    ok3, limited3, secs3 = accepted_burst(lb_port, t2, 2400)
    if not (NODES * burst <= ok3 <= NODES * (burst + rate * secs3) + 10) or not limited3:
        raise F.Failure(f"the balancer's {NODES} nodes accepted {ok3} of 2400 in {secs3:.2f} s (expected {NODES} x ({burst} + {rate}/s))")
    F.log(f"2. rate limits per node: one node accepted {ok} of 400 ({secs:.2f} s), three nodes behind the balancer {ok3} of 2400 ({secs3:.2f} s)")


def check_revocation(xref, database, nodes):
    out = F.run_cli(xref, ["tokens", "create", "--user", "1", "--scope", "read"], database).strip().splitlines()
    token = out[-1].strip()
    listing = F.run_cli(xref, ["tokens", "list", "--account", "1"], database)
    clients = [F.Client(n.port, token) for n in nodes]
    for c in clients:  # every node has the token in its cache
        for _ in range(3):
            s, _, b = c.request("GET", "/api/v1/external_references?subject_type=Workspace&per_page=1")
            if s != 200:
                raise F.Failure(f"new token refused before revocation: {s} {b[:200]!r}")
    ids = [int(m) for m in re.findall(r"^\W*(\d+)\W", listing, re.M)]
    token_id = max(ids)
    F.run_cli(xref, ["tokens", "revoke", str(token_id)], database)
    revoked_at = time.monotonic()
    refused = {}
    while len(refused) < len(clients) and time.monotonic() - revoked_at < 5:
        for i, c in enumerate(clients):
            if i in refused:
                continue
            s, _, _ = c.request("GET", "/api/v1/external_references?subject_type=Workspace&per_page=1")
            if s == 401:
                refused[i] = time.monotonic() - revoked_at
        time.sleep(0.02)
    slowest = max(refused.values(), default=99)
    if len(refused) < len(clients) or slowest > 1.0:
        raise F.Failure(f"revoked token {token_id} refused by {len(refused)} of {len(clients)} nodes, slowest after {slowest:.2f} s")
    F.log(f"3. revocation: token {token_id} refused by every node within {slowest:.2f} s of the CLI's return "
          f"({', '.join(f'node {i + 1} {t:.2f} s' for i, t in sorted(refused.items()))})")


def story_body(subject, service, value):
    return {"external_reference": {"subject_type": "Story", "subject_id": subject, "service_name": service,
                                   "service_model": "Issue", "service_model_ref": value}}


def walk(ports, token, per_page=25):
    """One walk of Story references in created_at order, alternating nodes page by page: the ids in order."""
    clients = [F.Client(p, token) for p in ports]
    ids, page = [], 1
    while True:
        c = clients[page % len(clients)]
        s, _, b = c.request("GET", f"/api/v1/external_references?subject_type=Story&order=created_at:asc&per_page={per_page}&page={page}")
        if s != 200:
            raise F.Failure(f"walk page {page} answered {s}: {b[:200]!r}")
        doc = json.loads(b)
        ids += [r["id"] for r in doc["results"]]
        time.sleep(0.03)  # about 15 pages/s per node: under the token's 50/s per node
        if page >= doc["meta"]["page_count"] or not doc["results"]:
            for cl in clients:
                cl.close()
            return ids
        page += 1


def tokens_for(xref, database, n):
    """n write tokens of user 1, created by the CLI 8 at a time."""
    out = [None] * n

    def make(i):
        out[i] = F.run_cli(xref, ["tokens", "create", "--user", "1", "--scope", "write"], database).strip().splitlines()[-1].strip()
    for start in range(0, n, 8):
        ts = [threading.Thread(target=make, args=(i,)) for i in range(start, min(n, start + 8))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xref", required=True, help="the published xref executable")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--load-seconds", type=float, default=30.0)
    ap.add_argument("--kill-at", type=float, default=12.0, help="seconds into the load when node 3 gets kill -9")
    ap.add_argument("--timeout", type=int, default=300, help="hard bound on the whole run, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (node and haproxy logs)")
    args = ap.parse_args()
    xref = os.path.abspath(args.xref)
    F.install_hard_timeout(args.timeout)
    began = time.monotonic()
    workdir = F.make_workdir("xref-cluster.")
    nodes, haproxy, ok = [], None, False
    try:
        pg_admin = os.environ.get("XREF_PG_URL") or sys.exit("cluster.py needs XREF_PG_URL (run under scripts/with-postgres.sh)")
        db = "xref_cluster_" + uuid.uuid4().hex[:8]
        F.psql(pg_admin, f"CREATE DATABASE {db}")
        database = F.with_database(pg_admin, db)

        # ---- 1. three nodes at the same moment on the empty database
        nodes = [Node(xref, database, F.free_port(), os.path.join(workdir, f"node{i + 1}.log")) for i in range(NODES)]
        for n in nodes:
            n.launch()
        for n in nodes:
            n.wait_ready()
        check_migrations(nodes)
        haproxy, lb = start_haproxy(workdir, [n.port for n in nodes])
        F.log(f"nodes on {', '.join(str(n.port) for n in nodes)}; haproxy (round robin) on {lb}")

        token = F.setup_data(xref, database, workdir)  # account 1, user 1, Workspaces 1-200
        stories = os.path.join(workdir, "stories.jsonl")
        with open(stories, "w") as f:
            for i in range(1, STORY_SUBJECTS + 1):
                f.write(json.dumps({"type": "Story", "id": i, "title": f"Story {i}"}) + "\n")
        F.run_cli(xref, ["import", os.path.join(workdir, "refs.jsonl"), "--subjects", stories, "--account", "1"], database)

        # ---- 2, 3
        check_rate_limits(xref, database, lb, nodes[0])
        check_revocation(xref, database, nodes)

        # ---- 4. the load
        tokens = tokens_for(xref, database, args.clients + 1)
        seed = F.Client(lb, token)
        initial_story_ids = set()
        for subject in range(1, STORY_SUBJECTS + 1):
            for service in ("jira", "salesforce", "netsuite"):
                s, _, b = seed.request("POST", "/api/v1/external_references/create_or_update", story_body(subject, service, "v0"))
                if s != 200:
                    raise F.Failure(f"Story seed answered {s}: {b[:200]!r}")
                initial_story_ids.add(F.parse_single(b)["id"])
        seed.close()

        lock = threading.Lock()
        ops, ids, failures, limited, unexpected = [], [], [], [0], []
        walks, walk_problems = [0], []
        stop = threading.Event()
        t_start = time.monotonic()
        kill_time = [None]

        def worker(n):
            rng = random.Random(n)
            c = F.Client(lb, tokens[n])
            i = 0
            while not stop.is_set():
                i += 1
                r = rng.random()
                if r < 0.40:
                    key = F.rand_key(rng)
                    op = F.Op("upsert", key, value=f"c{n}-{i}")
                    res = c.request_full("POST", "/api/v1/external_references/create_or_update", F.upsert_body(key, op.value))
                    op.finish(*res)
                    if op.status == 200:
                        with lock:
                            ids.append((F.parse_single(op.body)["id"], key))
                elif r < 0.55:
                    with lock:
                        if not ids:
                            continue
                        ref_id, key = ids[rng.randrange(len(ids))]
                    op = F.Op("delete", key, ref_id=ref_id)
                    op.finish(*c.request_full("DELETE", f"/api/v1/external_references/{ref_id}"))
                elif r < 0.90:
                    op = F.Op("list", None)
                    op.finish(*c.request_full("GET", f"/api/v1/external_references?subject_type=Workspace&page={rng.randint(1, 3)}"))
                else:
                    op = F.Op("report", None)
                    body = {"status_report": {"workspace_id": str(rng.randint(1, 200)), "color": "green", "description": f"r{n}-{i}"}}
                    op.finish(*c.request_full("POST", "/api/v1/status_reports", body))
                with lock:
                    ops.append(op)
                    if op.status is None or op.status >= 500:
                        failures.append((op.start - t_start, op.end - t_start, op.kind, op.status))
                    elif op.status == 429:
                        limited[0] += 1
                    elif op.status not in (200, 201, 204, 404) or (op.status == 404 and op.kind != "delete"):
                        unexpected.append(f"{op.kind} {op.status} {op.body[:200]!r}")
            c.close()

        def story_writer():
            rng = random.Random(99)
            c = F.Client(lb, tokens[args.clients])
            i = 0
            while not stop.is_set():
                i += 1
                subject = rng.randint(1, STORY_SUBJECTS)
                service = rng.choice(["jira", "salesforce", "netsuite"]) if rng.random() < 0.5 else f"w-{i}"
                c.request("POST", "/api/v1/external_references/create_or_update", story_body(subject, service, f"v{i}"))
                time.sleep(0.01)
            c.close()

        def walker():
            while not stop.is_set():
                try:
                    seen = walk([nodes[0].port, nodes[1].port], token)
                except F.Failure as e:
                    walk_problems.append(str(e))
                    continue
                dupes = len(seen) - len(set(seen))
                missing = initial_story_ids - set(seen)
                if dupes or missing:
                    walk_problems.append(f"walk {walks[0] + 1}: {dupes} ids twice, {len(missing)} ids that existed throughout missing")
                walks[0] += 1

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.clients)]
        threads += [threading.Thread(target=story_writer), threading.Thread(target=walker)]
        for t in threads:
            t.start()
        F.log(f"4. load: {args.clients} clients through the balancer for {args.load_seconds:.0f} s; walker on nodes 1+2; "
              f"node 3 gets kill -9 at {args.kill_at:.0f} s")
        time.sleep(args.kill_at)
        kill_time[0] = time.monotonic() - t_start
        nodes[2].kill9()
        time.sleep(max(0.0, args.load_seconds - args.kill_at))
        stop.set()
        for t in threads:
            t.join(60)
        elapsed = time.monotonic() - t_start
        by_kind = {}
        for op in ops:
            by_kind[op.kind] = by_kind.get(op.kind, 0) + 1
        late = [f for f in failures if f[0] > kill_time[0] + 1.0 or f[1] < kill_time[0]]
        F.log(f"   {len(ops)} requests in {elapsed:.1f} s ({len(ops) / elapsed:,.0f}/s): {by_kind}; "
              f"{len(failures)} failed (5xx or no answer), all in flight at the kill: {not late}; {limited[0]} rate-limited; "
              f"{walks[0]} walks of Story across nodes 1 and 2")
        problems = []
        if late:
            problems.append(f"{len(late)} failures not explained by the kill: {late[:5]}")
        if unexpected:
            problems.append(f"{len(unexpected)} unexpected answers: {unexpected[:3]}")
        if walk_problems:
            problems.append(f"walks: {walk_problems[:3]}")
        if walks[0] == 0:
            problems.append("no walk completed")

        # ---- 5. no duplicate, no lost write, counts
        check = F.Client(nodes[0].port, token)
        stored = F.list_all(check)
        ops_by_key = {}
        for op in ops:
            if op.kind in ("upsert", "delete"):
                ops_by_key.setdefault(op.key, []).append(op)
        verified, lost, lost_problems = F.verify(ops_by_key, stored, F.ALL_KEYS)
        problems += lost_problems[:5]
        dupes = F.psql(database, "SELECT COUNT(*) FROM (SELECT 1 FROM external_references GROUP BY account_id, subject_type, "
                                 "subject_id, service_name HAVING COUNT(*) > 1) d").strip()
        if dupes != "0":
            problems.append(f"{dupes} duplicate keys")
        mismatches = []
        for subject_type in ("Workspace", "Story"):
            for status in (None, "pending", "successful", "failed"):
                q = f"subject_type={subject_type}&per_page=1" + (f"&status={status}" if status else "")
                s, _, b = check.request("GET", f"/api/v1/external_references?{q}")
                api = json.loads(b)["count"]
                sql = int(F.psql(database, f"SELECT COUNT(*) FROM external_references WHERE account_id = 1 AND subject_type = '{subject_type}'"
                                           + (f" AND status = '{status}'" if status else "")).strip())
                if api != sql:
                    mismatches.append(f"{q}: count {api}, COUNT(*) {sql}")
        tables = F.psql(database, """
            SELECT (SELECT COUNT(*) FROM (SELECT account_id, subject_type, status, COUNT(*) AS n FROM external_references GROUP BY 1, 2, 3) c
                    FULL JOIN (SELECT account_id, subject_type, status, SUM(n) AS n FROM reference_totals GROUP BY 1, 2, 3) t
                    USING (account_id, subject_type, status) WHERE COALESCE(c.n, 0) <> COALESCE(t.n, 0)),
                   (SELECT COUNT(*) FROM (SELECT account_id, subject_type, service_name, status, COUNT(*) AS n FROM external_references GROUP BY 1, 2, 3, 4) c
                    FULL JOIN (SELECT account_id, subject_type, service_name, status, SUM(n) AS n FROM reference_stats GROUP BY 1, 2, 3, 4) t
                    USING (account_id, subject_type, service_name, status) WHERE COALESCE(c.n, 0) <> COALESCE(t.n, 0))""").split("|")
        if mismatches or [x.strip() for x in tables] != ["0", "0"]:
            problems.append(f"counts: {mismatches}; count-table rows differing from COUNT(*): totals {tables[0].strip()}, stats {tables[1].strip()}")
        F.log(f"5. {verified} acknowledged writes verified, {lost} keys wrong; duplicate keys {dupes}; "
              f"8 counts = COUNT(*): {not mismatches}; count tables = COUNT(*): {[x.strip() for x in tables] == ['0', '0']}")

        # ---- 6. page boundaries across nodes
        n1, n2 = F.Client(nodes[0].port, token), F.Client(nodes[1].port, token)
        listing = "/api/v1/external_references?subject_type=Workspace&order=created_at:asc&per_page=7&page="

        def page(c, p):
            s, _, b = c.request("GET", listing + str(p))
            return [r["id"] for r in json.loads(b)["results"]]
        before = [page(n1, p) for p in range(1, 5)]
        stale_before = nodes[0].metric("xref_page_cache_lookups_total", 'result="stale"')
        s, _, _ = n2.request("DELETE", f"/api/v1/external_references/{before[0][0]}")
        after1 = [page(n1, p) for p in range(2, 5)]
        after2 = [page(n2, p) for p in range(2, 5)]
        time.sleep(0.5)  # the exporter answers scrapes within 300 ms of each other from its cache
        stale = nodes[0].metric("xref_page_cache_lookups_total", 'result="stale"') - stale_before
        # What OFFSET gives after the delete: the earlier listing without the deleted row, cut into pages again.
        flat = [i for p in before for i in p][1:]
        coherent = s == 204 and after1 == after2 and after1[:2] == [flat[7:14], flat[14:21]]
        if not coherent or stale < 1:
            problems.append(f"page boundaries: delete {s}; before {before}; node 1 pages {after1}, node 2 pages {after2}; stale boundaries counted {stale}")
        F.log(f"6. after a delete on node 2, node 1's pages 2-4 equal node 2's: {after1 == after2}; equal to OFFSET's: {coherent}; node 1 set aside {stale:.0f} stale boundary")

        if problems:
            raise F.Failure("; ".join(problems))
        ok = True
        F.log(f"cluster: PASS in {time.monotonic() - began:.0f} s")
    except (F.Failure, F.HardTimeout) as e:
        F.log(f"cluster: FAIL: {e}")
    finally:
        if haproxy and haproxy.poll() is None:
            haproxy.send_signal(signal.SIGTERM)
            haproxy.wait(10)
        for n in nodes:
            n.stop()
        if not ok or args.keep:
            F.log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
