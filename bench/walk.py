#!/usr/bin/env python3
"""Scenario 5, the full walk: one client pages a listing to its end, as a nightly reconciliation does.

GET /api/v1/external_references?subject_type=TYPE&per_page=200&page=1, 2, 3 ... (default order) over one
keep-alive connection until a page comes back empty or the last page (meta.page_count) has been read.
Prints one JSON object: references/s, the mean time of the last 50 pages over the first 50, and whether
the ids seen add up to the response's count without duplicates. Standard library only.
"""
import argparse
import http.client
import json
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--subject-type", default="Workspace")
    p.add_argument("--per-page", type=int, default=200)
    p.add_argument("--max-seconds", type=float, default=600, help="give up after this long (bounded run)")
    a = p.parse_args()

    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    headers = {"Authorization": f"Bearer {a.token}", "Accept": "application/json"}
    seen, duplicates, times, counts = set(), 0, [], set()
    errors, page, page_count, bytes_read = [], 1, None, 0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        conn.request("GET", f"/api/v1/external_references?subject_type={a.subject_type}&per_page={a.per_page}&page={page}",
                     headers=headers)
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - t0)
        bytes_read += len(body)
        if response.status != 200:
            errors.append(f"page {page}: HTTP {response.status} {body[:200]!r}")
            break
        doc = json.loads(body)
        counts.add(doc["count"])
        page_count = doc["meta"]["page_count"]
        ids = [r["id"] for r in doc["results"]]
        for i in ids:
            if i in seen:
                duplicates += 1
            seen.add(i)
        if not ids or page >= page_count:
            break
        if time.perf_counter() - started > a.max_seconds:
            errors.append(f"stopped after {a.max_seconds:.0f} s at page {page} of {page_count}")
            break
        page += 1
    elapsed = time.perf_counter() - started
    conn.close()

    n = min(50, len(times) // 2) or 1
    first, last = sum(times[:n]) / n, sum(times[-n:]) / n
    count = max(counts) if counts else 0
    result = {
        "subject_type": a.subject_type,
        "pages": len(times),
        "page_count": page_count,
        "references": len(seen),
        "count": count,
        "count_changed": len(counts) > 1,
        "duplicates": duplicates,
        "complete": len(seen) == count and duplicates == 0 and len(counts) == 1 and not errors,
        "seconds": round(elapsed, 3),
        "references_per_s": round(len(seen) / elapsed, 1) if elapsed > 0 else 0,
        "first_pages_ms": round(first * 1000, 2),
        "last_pages_ms": round(last * 1000, 2),
        "last_over_first": round(last / first, 2) if first > 0 else None,
        "pages_compared": n,
        "slowest_page_ms": round(max(times) * 1000, 2) if times else 0,
        "mb_read": round(bytes_read / 1e6, 1),
        "errors": errors,
    }
    print(json.dumps(result))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
