#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh (wrk outputs, walk.json, meta.txt) into the printed report."""
import json
import os
import re
import statistics
import sys

SCENARIOS = [
    ("1-baseline", "1  baseline GET /health"),
    ("2-narrow", "2  narrow list (TimeEntry+failed+jira)"),
    ("3-broad", "3  broad list (TimeEntry)"),
    ("4-random", "4  random page 1..500, per_page=20"),
    ("4b-random-uncached", "4b random page 1..5000, cache off"),
    ("6-upsert", "6  upsert, half create / half update"),
    ("7-include", "7  include=subject on narrow list"),
]


def ms(value):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        return None
    n, unit = float(m.group(1)), m.group(2)
    return n * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(path):
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8", errors="replace").read()
    r = {"rps": None, "p50": None, "p99": None, "non2xx": 0, "socket": 0, "requests": None, "note": ""}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        r["rps"] = float(m.group(1))
    if m := re.search(r"^\s*(\d+) requests in", text, re.M):
        r["requests"] = int(m.group(1))
    for pct, key in (("50", "p50"), ("99", "p99")):
        if m := re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", text, re.M):
            r[key] = ms(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        r["non2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        r["socket"] = sum(int(g) for g in m.groups())
    if "wrk exited with" in text or r["rps"] is None:
        r["note"] = "wrk failed"
    return r


TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")  # microseconds per clock tick of /proc/<pid>/stat


def cpu_per_request(path, requests):
    """(Xref, PostgreSQL) CPU microseconds per request of a pass, from run_wrk's .cpu file (clock ticks before, after)."""
    try:
        x0, p0, x1, p1 = (int(v) for v in open(path + ".cpu", encoding="utf-8").read().split())
    except (OSError, ValueError):
        return None
    return ((x1 - x0) * TICK_US / requests, (p1 - p0) * TICK_US / requests) if requests else None


def fmt_cpu(cpu, db):
    if not cpu:
        return "-"
    return f"{cpu[0]:.0f}" + (f" + {cpu[1]:.0f}" if db == "postgres" else "")


def fmt_rps(v):
    return "-" if v is None else f"{v:,.0f}"


def fmt_ms(v):
    return "-" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")


def main():
    res = sys.argv[1]
    meta = {}
    for line in open(os.path.join(res, "meta.txt"), encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("=")
        meta[k] = v
    rows, baseline = [], None
    fresh_only = not os.path.exists(os.path.join(res, "wrk-1-baseline-1.txt"))
    for key, label in ([] if fresh_only else SCENARIOS):
        p1, p2 = parse_wrk(os.path.join(res, f"wrk-{key}-1.txt")), parse_wrk(os.path.join(res, f"wrk-{key}-2.txt"))
        passes = [p for p in (p1, p2) if p and p["rps"] is not None]
        best = max(passes, key=lambda p: p["rps"]) if passes else None
        cpu = best and cpu_per_request(os.path.join(res, f"wrk-{key}-{1 if best is p1 else 2}.txt"), best["requests"])
        if key == "1-baseline" and best:
            baseline = best["rps"]
        non2xx = sum(p["non2xx"] for p in (p1, p2) if p)
        socket = sum(p["socket"] for p in (p1, p2) if p)
        flags = []
        if len(passes) == 2 and min(p["rps"] for p in passes) < 0.85 * max(p["rps"] for p in passes):
            flags.append(">15% apart")
        if non2xx or len(passes) < 2 or any(p["note"] for p in (p1, p2) if p):
            flags.insert(0, "FAIL")
        if socket:
            flags.append(f"{socket} socket errors")
        rows.append([label, fmt_rps(p1 and p1["rps"]), fmt_rps(p2 and p2["rps"]), fmt_rps(best and best["rps"]),
                     fmt_ms(best and best["p50"]), fmt_ms(best and best["p99"]),
                     "-" if not (best and baseline) else f"{best['rps'] / baseline:.3f}", fmt_cpu(cpu, meta.get("db")), str(non2xx), " ".join(flags)])
    cpu_header = "CPU us/req Xref + PG" if meta.get("db") == "postgres" else "CPU us/req Xref"
    header = ["scenario", "pass 1 req/s", "pass 2 req/s", "best req/s", "p50 ms", "p99 ms", "x baseline", cpu_header, "non-2xx", "flag"]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) if i in (0, 9) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    out = []
    scope = "the fresh scenario only" if fresh_only else \
        f"{int(meta.get('refs', 0)):,} references in account 1 (+1% in each of accounts 2-4)"
    out.append(f"Xref benchmark: {meta.get('db')}, {scope}; {meta.get('date')}; commit {meta.get('commit')}")
    out.append(f"machine: {meta.get('machine')}; {meta.get('wrk')}; .NET SDK {meta.get('dotnet')}")
    out.append(f"database: {meta.get('database')}")
    out.append(f"server environment: {meta.get('env') or '-'} (plus XREF_RATE_LIMIT=off)")
    out.append(f"wrk -t2 -c32 -d{meta.get('duration')}s --latency, two passes per scenario; warm-up {meta.get('warmup')} s mixed load; "
               "p50/p99 are those of the better pass")
    out.append("")
    if rows:
        out.append(line(header))
        out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        out.extend(line(r) for r in rows)
        out.append("")
    out.extend(fresh_section(res, meta))
    if fresh_only:
        out.append(f"whole run {meta.get('total_seconds')} s")
        print("\n".join(out))
        return
    walk_path = os.path.join(res, "walk.json")
    try:
        w = json.loads(open(walk_path, encoding="utf-8").read().strip().splitlines()[-1])
        status = "complete, ids = count, no duplicates" if w["complete"] else \
            f"INCOMPLETE: {w['references']} ids seen, count {w['count']}, {w['duplicates']} duplicates" + \
            (", count changed during the walk" if w.get("count_changed") else "") + \
            (f", {'; '.join(w['errors'])}" if w["errors"] else "")
        out.append(f"5  full walk ({w['subject_type']}, per_page=200, one client): {w['references']:,} references in "
                   f"{w['pages']} pages, {w['seconds']:.1f} s = {w['references_per_s']:,.0f} references/s; "
                   f"last {w['pages_compared']} pages {w['last_pages_ms']:.1f} ms vs first {w['pages_compared']} "
                   f"{w['first_pages_ms']:.1f} ms = {w['last_over_first']}x; slowest page {w['slowest_page_ms']:.0f} ms; {status}")
    except (OSError, ValueError, KeyError, IndexError) as e:
        out.append(f"5  full walk: FAIL, no result ({e})")
    out.append(f"import (xref import, wall clock incl. process start): account 1 references {meta.get('import_1')} s "
               f"[{meta.get('import_1_summary')}]; account 1 subjects {meta.get('import_subjects_1')} s; "
               f"accounts 2-4 references {meta.get('import_2')} / {meta.get('import_3')} / {meta.get('import_4')} s")
    out.append(f"start-up to first 200 from /ready (from exec, polled every 10 ms): {meta.get('startup_main')} ms "
               f"(server 1), {meta.get('startup_nocache')} ms (server 2, XREF_PAGE_CACHE=off)")
    out.append(f"peak memory VmHWM of the Xref process: server 1 (warm-up, 1-4, 5, 6, 7) {meta.get('vmhwm_main')}; "
               f"server 2 (4b) {meta.get('vmhwm_nocache')}")
    extra = [f"database size after import {meta.get('db_size')}"]
    if "pg_analyzed_after_import" in meta:
        extra.append(f"external_references analyzed by autovacuum before the server started: {meta['pg_analyzed_after_import']}")
    warm = parse_wrk(os.path.join(res, "warmup.txt"))
    if warm:
        extra.append(f"warm-up {fmt_rps(warm['rps'])} req/s, {warm['non2xx']} non-2xx")
    extra.append(f"server log lines {meta.get('server_log_lines_main')} / {meta.get('server_log_lines_nocache')}")
    extra.append(f"generator: {meta.get('generate')}")
    extra.append(f"whole run {meta.get('total_seconds')} s")
    out.append("; ".join(extra))
    print("\n".join(out))


def fresh_section(res, meta):
    """The "fresh" scenario (issue 14): one pass each, in the order run, with its targets."""
    runs = {k: parse_wrk(os.path.join(res, f"wrk-{k}.txt")) for k in ("F1-upsert", "F2-narrow", "F3-broad", "F0-baseline")}
    if not any(runs.values()):
        return []
    base = runs["F0-baseline"] and runs["F0-baseline"]["rps"]
    out = ["fresh: empty database, account 1 with 5,000 TimeEntry subjects; server started on it; then at once, one pass each:"]
    labels = {"F1-upsert": "F1 upserts, 16 s, 8 service names", "F2-narrow": "F2 narrow (TimeEntry+failed+svc3)",
              "F3-broad": "F3 broad (TimeEntry)", "F0-baseline": "F0 baseline GET /health (after the lists)"}
    for k, r in runs.items():
        if not r:
            out.append(f"  {labels[k]}: FAIL, no result")
            continue
        ratio = f"{r['rps'] / base:.3f} x baseline" if base and r["rps"] else "-"
        cpu = cpu_per_request(os.path.join(res, f"wrk-{k}.txt"), r["requests"])
        split = f", CPU per request {fmt_cpu(cpu, meta.get('db'))} us ({'Xref + PostgreSQL' if meta.get('db') == 'postgres' else 'Xref'})" if cpu else ""
        out.append(f"  {labels[k]}: {fmt_rps(r['rps'])} req/s, p50 {fmt_ms(r['p50'])} ms, p99 {fmt_ms(r['p99'])} ms, "
                   f"{ratio}{split}, non-2xx {r['non2xx']}{' ' + r['note'] if r['note'] else ''}")
    narrow, broad = runs["F2-narrow"], runs["F3-broad"]
    if base and narrow and broad and narrow["rps"] and broad["rps"]:
        n, b = narrow["rps"] / base, broad["rps"] / narrow["rps"]
        out.append(f"  targets: narrow {n:.3f} x baseline (>= 0.15: {'met' if n >= 0.15 else 'NOT met'}); "
                   f"broad {b:.2f} x narrow (>= 0.8: {'met' if b >= 0.8 else 'NOT met'})")
    out.extend(metrics_ab(res, meta))
    out.append(f"  references after the upserts {meta.get('fresh_count')}; fresh phase {meta.get('fresh_seconds')} s"
               + (f"; analysed (last, manual+auto count): {meta['fresh_analyzed']}" if meta.get("fresh_analyzed") else ""))
    out.append("")
    return out


def metrics_ab(res, meta):
    """--metrics-ab: the medians of each side's passes, and the server CPU per request (see run_metrics_ab in lib.sh)."""
    rounds = int(meta.get("metrics_rounds", 0))
    if not rounds:
        return []
    sides = {}
    for mode in ("off", "on"):
        passes = [(parse_wrk(os.path.join(res, f"wrk-M-{mode}-{r}.txt")), int(meta.get(f"metrics_cpu_{mode}_{r}", 0))) for r in range(1, rounds + 1)]
        if not all(p and p["rps"] and p["requests"] for p, _ in passes):
            return [f"  metrics A/B: FAIL, a pass has no result"]
        sides[mode] = {"rps": [p["rps"] for p, _ in passes], "cpu": [ticks * TICK_US / p["requests"] for p, ticks in passes]}
    median = statistics.median
    loss = 1 - median(sides["on"]["rps"]) / median(sides["off"]["rps"])
    cpu_off, cpu_on = median(sides["off"]["cpu"]), median(sides["on"]["cpu"])
    return [
        f"  metrics A/B, narrow list on this database, two servers at once, {rounds} rounds (off on, on off, ...):",
        f"    req/s without --metrics {' / '.join(fmt_rps(v) for v in sides['off']['rps'])}, with {' / '.join(fmt_rps(v) for v in sides['on']['rps'])}; "
        f"medians: {loss * 100:+.1f}% {'slower' if loss > 0 else 'faster'} with --metrics (target: at most 5% slower: {'met' if loss <= 0.05 else 'NOT met'})",
        f"    server CPU per request (median): {cpu_off:.0f} us without, {cpu_on:.0f} us with: {(cpu_on / cpu_off - 1) * 100:+.1f}%",
    ]


if __name__ == "__main__":
    main()
