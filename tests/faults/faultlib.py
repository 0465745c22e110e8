"""Shared helpers of the fault-injection scripts (crash.py, outage.py): standard library only.

- Setup through the xref CLI (account, user, write token, Workspace subjects).
- Starting/stopping the server on 127.0.0.1 and a free port.
- A small keep-alive HTTP client that records every operation (start, end, status, body).
- The per-key consistency check used after a fault: the stored state of every key must be the effect
  of an operation that may legally be the last one applied to it (see `allowed_states`).
"""

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ABSENT = "<absent>"
SERVICE_NAMES = ["salesforce", "jira", "netsuite"]
SUBJECTS = 200


class Failure(Exception):
    pass


class HardTimeout(BaseException):
    """Raised in the main thread by SIGALRM; BaseException so that no `except Exception` swallows it."""


def install_hard_timeout(seconds):
    """SIGALRM after `seconds`, and SIGTERM/SIGINT, raise HardTimeout in the main thread, whose `finally` then
    stops everything the script started (server, PostgreSQL cluster) before it exits."""
    def on_alarm(signum, frame):
        raise HardTimeout(f"hard time bound of {seconds} s exceeded")

    def on_term(signum, frame):
        raise HardTimeout(f"stopped by signal {signum}")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.alarm(seconds)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(xref, args, database, timeout=60):
    """Runs one `xref` CLI command and returns its stdout; raises Failure on a non-zero exit."""
    cmd = [xref, *args, "--database", database]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"})
    if proc.returncode != 0:
        raise Failure(f"{' '.join(args[:2])} failed ({proc.returncode}): {proc.stderr.strip()} {proc.stdout.strip()}")
    return proc.stdout


def setup_data(xref, database, workdir):
    """Account 1, user 1, a write token and Workspaces 1..SUBJECTS; returns the token."""
    run_cli(xref, ["accounts", "create", "--name", "Faults"], database)
    run_cli(xref, ["users", "create", "--account", "1", "--name", "Fault Injector"], database)
    token = run_cli(xref, ["tokens", "create", "--user", "1", "--scope", "write"], database).strip().splitlines()[-1].strip()
    subjects = os.path.join(workdir, "subjects.jsonl")
    refs = os.path.join(workdir, "refs.jsonl")
    with open(subjects, "w") as f:
        for i in range(1, SUBJECTS + 1):
            f.write(json.dumps({"type": "Workspace", "id": i, "title": f"Workspace {i}"}) + "\n")
    open(refs, "w").close()
    out = run_cli(xref, ["import", refs, "--subjects", subjects, "--account", "1"], database)
    if f"subjects: {SUBJECTS} imported" not in out:
        raise Failure(f"subject import did not report {SUBJECTS} imported: {out.strip()}")
    return token


class Server:
    """One xref server process on 127.0.0.1:port; its output goes to a log file."""

    def __init__(self, xref, database, port, logpath):
        self.xref, self.database, self.port, self.logpath = xref, database, port, logpath
        self.proc = None

    def start(self, ready_timeout=40):
        env = {**os.environ, "XREF_RATE_LIMIT": "off", "Logging__LogLevel__Default": "Warning",
               "Logging__LogLevel__Microsoft.AspNetCore": "Warning", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
        logf = open(self.logpath, "ab")
        self.proc = subprocess.Popen([self.xref, "--urls", f"http://127.0.0.1:{self.port}", "--database", self.database],
                                     stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        logf.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"server exited with {self.proc.returncode} during start-up; see {self.logpath}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/ready")
                r = conn.getresponse()
                r.read()
                conn.close()
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise Failure(f"server not ready within {ready_timeout} s; see {self.logpath}:\n{self.tail()}")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def tail(self, n=30):
        try:
            with open(self.logpath, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Client:
    """One keep-alive connection (one per load thread)."""

    def __init__(self, port, token, timeout=15):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = None

    def request(self, method, path, body=None):
        """Returns (status, headers-dict-lowercase, body-bytes); status None on a transport error (body = the error)."""
        return self.request_full(method, path, body)[:3]

    def request_full(self, method, path, body=None):
        """As request, plus `sent`: False when no connection could be made, so the server never saw the request."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                try:
                    self.conn.connect()
                except OSError as e:
                    self.close()
                    return None, {}, repr(e).encode(), False
            self.conn.request(method, path, data, headers)
            r = self.conn.getresponse()
            payload = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            return r.status, hdrs, payload, True
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return None, {}, repr(e).encode(), True

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None


def upsert_body(key, value):
    subject_id, service = key
    return {"external_reference": {"subject_type": "Workspace", "subject_id": subject_id, "service_name": service,
                                   "service_model": "Opportunity", "service_model_ref": value}}


def key_query(key):
    return "/api/v1/external_references?" + urllib.parse.urlencode(
        {"subject_type": "Workspace", "subject_id": key[0], "service_name": key[1]})


def parse_single(payload):
    """The one external reference of a create_or_update or filtered GET response, or None if there is none."""
    doc = json.loads(payload)
    refs = doc["external_references"]
    if len(refs) > 1:
        raise Failure(f"more than one reference in {payload[:300]!r}")
    return next(iter(refs.values())) if refs else None


def list_all(client):
    """Every Workspace reference of the account through the paged listing: {key: [(id, service_model_ref), ...]}."""
    state, page, seen = {}, 1, 0
    while True:
        status, _, payload = client.request(
            "GET", f"/api/v1/external_references?subject_type=Workspace&per_page=200&page={page}&order=created_at:asc")
        if status != 200:
            raise Failure(f"listing page {page} answered {status}: {payload[:300]!r}")
        doc = json.loads(payload)
        for r in doc["results"]:
            ref = doc["external_references"][r["id"]]
            state.setdefault((ref["subject_id"], ref["service_name"]), []).append((ref["id"], ref["service_model_ref"]))
            seen += 1
        if page >= doc["meta"]["page_count"]:
            if seen != doc["count"]:
                raise Failure(f"listing returned {seen} records but count is {doc['count']}")
            return state
        page += 1


class Op:
    __slots__ = ("kind", "key", "value", "ref_id", "start", "end", "status", "headers", "body", "sent")

    def __init__(self, kind, key, value=None, ref_id=None):
        self.kind, self.key, self.value, self.ref_id = kind, key, value, ref_id
        self.start = time.monotonic()
        self.end = None
        self.status = None
        self.headers = {}
        self.body = b""
        self.sent = True

    def finish(self, status, headers, body, sent=True):
        self.end = time.monotonic()
        self.status, self.headers, self.body, self.sent = status, headers, body, sent

    @property
    def latency(self):
        return (self.end if self.end is not None else time.monotonic()) - self.start


def effect(op):
    """How an operation bears on its key's final state:
    ('ack', state)   acknowledged: its effect certainly happened;
    ('maybe', state) outcome unknown (no response, or a 5xx): it may or may not have happened;
    None             certainly no effect (a 404 DELETE, a 4xx, a request no connection could be made for)."""
    if op.status is None and not op.sent:
        return None
    state = op.value if op.kind == "upsert" else ABSENT
    if op.kind == "upsert" and op.status == 200:
        return ("ack", state)
    if op.kind == "delete" and op.status == 204:
        return ("ack", state)
    if op.status is None or op.status >= 500:
        return ("maybe", state)
    return None


def allowed_states(ops):
    """The states a key may legally be in after `ops` (real-time order, linearizable register):
    the initial ABSENT or an acknowledged write unless an acknowledged write began after it ended;
    a write of unknown outcome unless an acknowledged write began after its response (no response: always)."""
    acked = [(op, st) for op in ops for e in [effect(op)] if e and e[0] == "ack" for st in [e[1]]]
    last_ack_start = max((op.start for op, _ in acked), default=float("-inf"))
    allowed = set()
    if not acked:
        allowed.add(ABSENT)
    for op in ops:
        e = effect(op)
        if e is None:
            continue
        end = op.end if (op.end is not None and op.status is not None) else float("inf")
        if last_ack_start <= end:
            allowed.add(e[1])
    return allowed


def verify(ops_by_key, stored, all_keys):
    """Compares the stored state ({key: [(id, ref)]}) with the history; returns (verified_ops, lost_keys, problems)."""
    verified, lost, problems = 0, 0, []
    for key in all_keys:
        ops = ops_by_key.get(key, [])
        rows = stored.get(key, [])
        if len(rows) > 1:
            lost += 1
            problems.append(f"{key}: {len(rows)} records for one key: {rows}")
            continue
        actual = rows[0][1] if rows else ABSENT
        allowed = allowed_states(ops)
        acked_here = sum(1 for op in ops if op.status in (200, 204, 404) and op.kind in ("upsert", "delete"))
        if actual in allowed:
            verified += acked_here
        else:
            lost += 1
            hist = ", ".join(f"{op.kind}:{op.value or op.ref_id}@{op.start:.3f}-{(op.end or 0):.3f}={op.status}" for op in ops[-6:])
            problems.append(f"{key}: stored {actual!r}, allowed {sorted(allowed)[:5]}; last ops: {hist}")
    for key in stored:
        if key not in all_keys:
            lost += 1
            problems.append(f"{key}: unexpected record {stored[key]}")
    return verified, lost, problems


def as_pg(cmd):
    """Runs PostgreSQL server tools as the postgres user when we are root (pg_ctl refuses root); the cluster itself
    comes from scripts/with-postgres.sh."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def psql(url, sql, timeout=30):
    proc = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-t", "-c", sql],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise Failure(f"psql failed: {proc.stderr.strip()}")
    return proc.stdout


def with_database(url, dbname):
    p = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, "/" + dbname, p.query, p.fragment))


def make_workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def rand_key(rng):
    return (rng.randint(1, SUBJECTS), rng.choice(SERVICE_NAMES))


ALL_KEYS = [(i, s) for i in range(1, SUBJECTS + 1) for s in SERVICE_NAMES]
