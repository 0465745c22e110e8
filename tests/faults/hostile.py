#!/usr/bin/env python3
"""Hostile-input test: the attacks of a client that wants to exhaust the server's memory or lock it up, against a
published server with rate limiting at its default, while /health is polled every 200 ms.

    hostile.py --xref /path/to/published/xref --db sqlite|postgres [--timeout 300] [--keep]

--db postgres needs XREF_PG_URL (postgres://user@host:port/db of a cluster it may CREATE DATABASE on; see
scripts/with-postgres.sh); it creates and drops its own database there. --db sqlite uses a temporary file.

The server starts on 127.0.0.1 with a seed (one account, a write token, Workspaces 1..200) and the default rate
limit. Each attack, one after the other:
  form key 30,000 levels    create_or_update with `external_reference[a][a]...=v` nested 30,000 levels (a form body)
  form key 6,000 levels     the same, 6,000 levels
  100,000 empty details     a status_report JSON body of about 1 MiB whose details are 100,000 empty objects
  maximal page, read        GET per_page=200 of 200 references that each hold a 65,535-character external_message
                            of characters JSON escapes ('<', '>', '&', '"', "'", 'é'), read to the end
  maximal page, 4 stalled   the same page by 4 clients that read its first bytes and then stop reading for 10 s
  2,500 bogus tokens        2,500 distinct unknown bearer tokens on one keep-alive connection
  /ready x500, /openapi/v1.json x500   each hammered by 4 connections
Setting up the 200 maximal references is measured too, but is not an attack.

It records the server's VmRSS before and after each attack and its peak during it (sampled every 50 ms from
/proc/PID/status), and VmHWM (the process's peak RSS) at the baseline and at the end. Meanwhile a background
thread polls GET /health every 200 ms (5 s timeout): every poll must answer 200.

Exit status 1 (RESULT: FAIL) if any attack raised the RSS by more than 50 MB per request it holds open at once (peak
during it or after it, over the RSS before it: the issue's bound is per request, so the 4 stalled readers may use
4 x 50 MB together), if /health ever failed, or if any request answered a 5xx.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as F  # noqa: E402

TOKEN = "hostile-write-token-7f3a9c1e"
WORKSPACES = 200
MESSAGE_LENGTH = 65535
RSS_LIMIT = 50 * 1024 * 1024
HEALTH_EVERY = 0.2
HEALTH_TIMEOUT = 5.0
LIST = "/api/v1/external_references"
UPSERT = "/api/v1/external_references/create_or_update"
PAGE = LIST + "?subject_type=Workspace&per_page=200"
MB = 1024 * 1024


def seed_text():
    return json.dumps({"accounts": [{
        "id": 1, "name": "Hostile",
        "users": [{"id": 1, "full_name": "Target", "tokens": [{"token": TOKEN, "scope": "write"}]}],
        "subjects": {"Workspace": [{"id": i, "title": f"Workspace {i}"} for i in range(1, WORKSPACES + 1)]},
    }]})


class HostileServer(F.Server):
    """faultlib's server, started with a seed and the default rate limit (faultlib turns it off)."""

    def __init__(self, xref, database, port, logpath, seed_path):
        super().__init__(xref, database, port, logpath)
        self.seed_path = seed_path

    def start(self, ready_timeout=40):
        env = {k: v for k, v in os.environ.items() if k not in ("XREF_RATE_LIMIT", "XREF_SEED", "XREF_DATABASE")}
        env.update({"Logging__LogLevel__Default": "Warning", "Logging__LogLevel__Microsoft.AspNetCore": "Warning",
                    "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
        logf = open(self.logpath, "ab")
        self.proc = subprocess.Popen(
            [self.xref, "--urls", f"http://127.0.0.1:{self.port}", "--database", self.database, "--seed", self.seed_path],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        logf.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise F.Failure(f"server exited with {self.proc.returncode} during start-up; see {self.logpath}:\n{self.tail()}")
            try:
                status, _, _ = http_request(self.port, "GET", "/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise F.Failure(f"server not ready within {ready_timeout} s; see {self.logpath}:\n{self.tail()}")


def memory(pid):
    """(VmRSS, VmHWM) of the process, in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, rest = line.split(":", 1)
                values[key] = int(rest.split()[0]) * 1024
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def http_request(port, method, path, body=None, headers=None, timeout=30, conn=None):
    """One request; returns (status, headers, body). With `conn`, uses (and keeps) that keep-alive connection."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body, headers or {})
        r = conn.getresponse()
        payload = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, payload
    finally:
        if own:
            conn.close()


class Monitor:
    """Polls /health every 200 ms and samples the server's RSS every 50 ms, in two background threads."""

    def __init__(self, port, pid):
        self.port, self.pid = port, pid
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.polls = 0
        self.health_failures = []
        self.health_max = 0.0
        self.peak = 0
        self.threads = [threading.Thread(target=self._health, daemon=True), threading.Thread(target=self._rss, daemon=True)]

    def start(self):
        for t in self.threads:
            t.start()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(HEALTH_TIMEOUT + 2)

    def reset_peak(self):
        with self.lock:
            self.peak = memory(self.pid)[0]

    def take_peak(self):
        with self.lock:
            return max(self.peak, memory(self.pid)[0])

    def _health(self):
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                status, _, body = http_request(self.port, "GET", "/health", timeout=HEALTH_TIMEOUT)
                problem = None if status == 200 else f"{status} {body[:200]!r}"
            except (OSError, http.client.HTTPException) as e:
                problem = repr(e)
            took = time.monotonic() - began
            with self.lock:
                self.polls += 1
                self.health_max = max(self.health_max, took)
                if problem:
                    self.health_failures.append(f"{time.strftime('%H:%M:%S')} after {took:.2f} s: {problem}")
            self.stop.wait(max(0.0, HEALTH_EVERY - took))

    def _rss(self):
        while not self.stop.is_set():
            try:
                rss = memory(self.pid)[0]
            except OSError:
                return
            with self.lock:
                self.peak = max(self.peak, rss)
            self.stop.wait(0.05)


class Tally:
    """Status codes seen during one attack (None: no response)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.notes = []

    def add(self, status):
        with self.lock:
            self.counts[status] = self.counts.get(status, 0) + 1

    def note(self, text):
        with self.lock:
            self.notes.append(text)

    def text(self):
        parts = [f"{'none' if k is None else k}: {v}" for k, v in sorted(self.counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]
        return ", ".join(parts) or "-"

    def server_errors(self):
        return sum(v for k, v in self.counts.items() if k is not None and k >= 500)


def auth(token=TOKEN, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


def attack_deep_key(port, levels):
    def run(tally):
        body = ("external_reference" + "[a]" * levels + "=v").encode()
        began = time.monotonic()
        status, _, payload = http_request(port, "POST", UPSERT, body, auth(**{"Content-Type": "application/x-www-form-urlencoded"}))
        tally.add(status)
        tally.note(f"{len(body):,} bytes, answered in {time.monotonic() - began:.3f} s: {payload[:160].decode(errors='replace')}")
    return run


def attack_empty_details(port):
    def run(tally):
        # 100,000 empty objects, padded with spaces to about 1 MiB (the default body limit is 1,048,576 bytes).
        items = ",".join(["{      } "] * 100_000)
        body = ('{"status_report": {"workspace_id": 1, "color": "green", "description": "x", "details": [' + items + "]}}").encode()
        began = time.monotonic()
        status, _, payload = http_request(port, "POST", "/api/v1/status_reports", body, auth(**{"Content-Type": "application/json"}))
        tally.add(status)
        tally.note(f"{len(body):,} bytes, answered in {time.monotonic() - began:.3f} s with {len(payload):,} bytes: "
                   f"{payload[:160].decode(errors='replace')}")
    return run


def with_retry(send, attempts=20):
    """Sends until the answer is not a 429, sleeping its Retry-After (the default per-token limit is 50/s, burst 200)."""
    for _ in range(attempts):
        status, headers, payload = send()
        if status != 429:
            return status, headers, payload
        time.sleep(min(5.0, float(headers.get("retry-after", "1") or 1)))
    return status, headers, payload


def create_maximal_references(port):
    """200 references (Workspace 1..200), each external_message 65,535 characters that JSON escapes."""
    pattern = "<>&\"'é"
    message = (pattern * (MESSAGE_LENGTH // len(pattern) + 1))[:MESSAGE_LENGTH]
    client = F.Client(port, TOKEN, timeout=60)

    def run(tally):
        for i in range(1, WORKSPACES + 1):
            body = {"external_reference": {"subject_type": "Workspace", "subject_id": i, "service_name": "jira",
                                           "service_model": "issue", "service_model_ref": f"H-{i}", "external_message": message}}
            status, _, payload = with_retry(lambda: client.request("POST", UPSERT, body))
            tally.add(status)
            if status != 200:
                raise F.Failure(f"setting up reference {i}: {status} {payload[:300]!r}")
        client.close()
    return run


def attack_page_read(port):
    def run(tally):
        began = time.monotonic()
        status, headers, payload = with_retry(lambda: http_request(port, "GET", PAGE, None, auth(), timeout=120))
        tally.add(status)
        note = f"{len(payload) / MB:.1f} MB in {time.monotonic() - began:.2f} s"
        if status == 200:
            doc = json.loads(payload)
            note += f", {len(doc['results'])} references"
        tally.note(note)
    return run


def attack_stalled_readers(port, monitor, clients=4, stall=10.0):
    def reader(tally, results, n):
        s = socket.socket()
        try:
            # A small receive buffer, so that the kernel absorbs little of the answer for the server.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(30)
            s.connect(("127.0.0.1", port))
            s.sendall((f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
                       "Accept: application/json\r\n\r\n").encode())
            first = s.recv(256)
            line = first.split(b"\r\n", 1)[0].decode(errors="replace")
            status = int(line.split()[1]) if line.startswith("HTTP/") else None
            tally.add(status)
            results[n] = line
            time.sleep(stall)  # the request is open, the answer is waiting: read nothing more
        except OSError as e:
            tally.add(None)
            results[n] = repr(e)
        finally:
            s.close()

    def run(tally):
        results = {}
        threads = [threading.Thread(target=reader, args=(tally, results, n), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
            time.sleep(0.05)
        time.sleep(stall / 2)
        rss, _ = memory(monitor.pid)
        tally.note(f"RSS while they stall: {rss / MB:.1f} MB")
        for t in threads:
            t.join(stall + 40)
        tally.note("; ".join(results.get(n, "?") for n in range(clients)))
    return run


def attack_bogus_tokens(port, count=2500):
    def run(tally):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        reconnects = 0
        first_limited = None
        looked_up_after = 0
        began = time.monotonic()
        for i in range(count):
            token = f"bogus-{i}-{uuid.uuid4().hex}"
            try:
                status, headers, _ = http_request(port, "GET", LIST + "?subject_type=Workspace", None, auth(token), conn=conn)
                tally.add(status)
                if status == 429 and first_limited is None:
                    first_limited = (i, time.monotonic())
                elif status == 401 and first_limited is not None:
                    looked_up_after += 1
                if headers.get("connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    reconnects += 1
            except (OSError, http.client.HTTPException):
                tally.add(None)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                reconnects += 1
        conn.close()
        tally.note(f"{count} requests in {time.monotonic() - began:.2f} s, {reconnects} reconnections")
        if first_limited is None:
            tally.note("WARN: never limited (is rate limiting on?)")
        else:
            # The server holds an address to a few failed authentications a second once it is limited.
            limited_for = time.monotonic() - first_limited[1]
            note = (f"first 429 after {first_limited[0]} unknown tokens; {looked_up_after} more were looked up (401) "
                    f"in the {limited_for:.2f} s after it")
            if looked_up_after > 1 + 5 * limited_for:
                note = "WARN: " + note + " (more than 5 a second: the limit does not hold)"
            tally.note(note)
        # Informational: what the valid token gets from the same address right afterwards.
        status, _, payload = http_request(port, "GET", LIST + "?subject_type=Workspace&per_page=1", None, auth())
        tally.note(f"valid token right after: {status}" + ("" if status == 200 else f" {payload[:160]!r}"))
    return run


def attack_hammer(port, path, count=500, connections=4):
    def worker(tally, n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(n):
            try:
                status, headers, _ = http_request(port, "GET", path, conn=conn)
                tally.add(status)
                if headers.get("connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                tally.add(None)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    def run(tally):
        began = time.monotonic()
        share = [count // connections + (1 if i < count % connections else 0) for i in range(connections)]
        threads = [threading.Thread(target=worker, args=(tally, n), daemon=True) for n in share]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        tally.note(f"{count} requests in {time.monotonic() - began:.2f} s")
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xref", required=True, help="the published xref executable")
    ap.add_argument("--db", required=True, choices=["sqlite", "postgres"])
    ap.add_argument("--timeout", type=int, default=300, help="hard bound on the whole run, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (server log, SQLite file)")
    args = ap.parse_args()
    xref = os.path.abspath(args.xref)

    F.install_hard_timeout(args.timeout)
    began = time.monotonic()
    workdir = F.make_workdir("xref-hostile.")
    server = None
    monitor = None
    pg_admin = pg_db = None
    ok = False
    try:
        if args.db == "sqlite":
            database = "sqlite:" + os.path.join(workdir, "xref.db")
        else:
            pg_admin = os.environ.get("XREF_PG_URL")
            if not pg_admin:
                raise F.Failure("--db postgres needs XREF_PG_URL (run under scripts/with-postgres.sh)")
            pg_db = "xref_hostile_" + uuid.uuid4().hex[:10]
            F.psql(pg_admin, f"CREATE DATABASE {pg_db}")
            database = F.with_database(pg_admin, pg_db)
        seed_path = os.path.join(workdir, "seed.json")
        with open(seed_path, "w") as f:
            f.write(seed_text())

        port = F.free_port()
        server = HostileServer(xref, database, port, os.path.join(workdir, "server.log"), seed_path)
        server.start()
        pid = server.proc.pid
        # A few ordinary requests first, so that the baseline includes a warmed-up server.
        for _ in range(5):
            http_request(port, "GET", LIST + "?subject_type=Workspace", None, auth())
        time.sleep(0.5)
        base_rss, base_hwm = memory(pid)
        F.log(f"hostile[{args.db}]: server pid {pid} on 127.0.0.1:{port}, baseline RSS {base_rss / MB:.1f} MB, "
              f"VmHWM {base_hwm / MB:.1f} MB; work dir {workdir}")
        monitor = Monitor(port, pid)
        monitor.start()

        attacks = [
            # (name, run, requests held open at once: 0 for the set-up, which is not an attack)
            ("form key 30,000 levels", attack_deep_key(port, 30_000), 1),
            ("form key 6,000 levels", attack_deep_key(port, 6_000), 1),
            ("100,000 empty details (1 MiB)", attack_empty_details(port), 1),
            ("setup: 200 maximal references", create_maximal_references(port), 0),
            ("maximal page of 200, read", attack_page_read(port), 1),
            ("maximal page of 200, 4 stalled readers", attack_stalled_readers(port, monitor), 4),
            ("2,500 bogus tokens, one connection", attack_bogus_tokens(port), 1),
            ("/ready x500", attack_hammer(port, "/ready"), 4),
            ("/openapi/v1.json x500", attack_hammer(port, "/openapi/v1.json"), 4),
        ]
        rows = []
        for name, run, held in attacks:
            if server.proc.poll() is not None:
                raise F.Failure(f"the server exited ({server.proc.returncode}) before '{name}':\n{server.tail()}")
            tally = Tally()
            before, _ = memory(pid)
            monitor.reset_peak()
            t0 = time.monotonic()
            try:
                run(tally)
            except (OSError, http.client.HTTPException) as e:
                tally.add(None)
                tally.note(f"transport error: {e!r}")
            took = time.monotonic() - t0
            time.sleep(0.3)  # let the sampler see what the attack left behind
            after, _ = memory(pid)
            peak = monitor.take_peak()
            growth = max(after, peak) - before
            rows.append((name, held, tally, before, after, peak, growth, took))
            F.log(f"hostile[{args.db}]: {name}: {tally.text()}; RSS {before / MB:.1f} -> {after / MB:.1f} MB "
                  f"(peak {peak / MB:.1f} MB) in {took:.1f} s")

        monitor.close()
        end_rss, end_hwm = memory(pid)
        alive = server.proc.poll() is None

        print(f"hostile test ({args.db}): baseline RSS {base_rss / MB:.1f} MB, VmHWM {base_hwm / MB:.1f} MB")
        print(f"{'attack':<42} {'statuses':<28} {'RSS after-before':>16} {'peak-before':>12} {'time':>7}")
        failures = []
        for name, held, tally, before, after, peak, growth, took in rows:
            mark = ""
            if held and growth > RSS_LIMIT * held:
                mark = f"  <-- over {held} x 50 MB"
                failures.append(f"{name}: RSS grew by {growth / MB:.1f} MB ({growth / held / MB:.1f} MB per request)")
            if tally.server_errors():
                mark += "  <-- 5xx"
                failures.append(f"{name}: {tally.server_errors()} answers were 5xx")
            label = name if held else name + " (not an attack)"
            print(f"{label:<42} {tally.text():<28} {(after - before) / MB:>+13.1f} MB {(peak - before) / MB:>+9.1f} MB {took:>6.1f}s{mark}")
            for note in tally.notes:
                print(f"    {note}")
        print(f"peak memory (VmHWM): {base_hwm / MB:.1f} MB at the baseline, {end_hwm / MB:.1f} MB at the end "
              f"(+{(end_hwm - base_hwm) / MB:.1f} MB); RSS at the end {end_rss / MB:.1f} MB")
        print(f"/health: {monitor.polls} polls every {HEALTH_EVERY * 1000:.0f} ms, {len(monitor.health_failures)} failed, "
              f"slowest {monitor.health_max:.3f} s")
        for failure in monitor.health_failures[:10]:
            print(f"    /health failed at {failure}")
        if monitor.health_failures:
            failures.append(f"/health failed {len(monitor.health_failures)} times")
        if not alive:
            failures.append("the server exited during the run")
        if monitor.polls == 0:
            failures.append("/health was never polled")
        for failure in failures:
            print("FAIL " + failure)
        print(f"run time: {time.monotonic() - began:.1f} s")
        ok = not failures
        print("RESULT: " + ("PASS" if ok else "FAIL"))
    except (F.Failure, F.HardTimeout) as e:
        print(f"hostile test ({args.db}): FAIL: {e}")
        if server:
            print(server.tail())
        ok = False
    finally:
        signal.alarm(0)
        if monitor:
            monitor.stop.set()
        if server:
            server.stop()
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


if __name__ == "__main__":
    main()
