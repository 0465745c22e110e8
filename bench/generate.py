#!/usr/bin/env python3
"""Generates the benchmark data set as JSON Lines for `xref import` (Python 3, standard library only).

Layout (N = --refs):
  account 1: N references; accounts 2, 3, 4: 1% of N each, on their own subject ids.
  Per account, references are spread over subject types TimeEntry 40%, Workspace 20%, Story 20%,
  Invoice 10%, Expense 10%. Every subject carries the four service names jira, quickbooks, salesforce
  and netsuite, so each type has refs/4 subjects. Statuses: successful 80%, pending 15%, failed 5%.
  created_at is spread over two years (rising with the line number, as an integration writes them);
  updated_at and last_synced_at are never before created_at.

Output folder:
  <out>/account-<a>/subjects.jsonl   {"type":"Workspace","id":123,"title":"..."}
  <out>/account-<a>/refs.jsonl       one external_reference object per line
  <out>/layout.json                  subject id ranges, read by run.sh and the wrk scripts

Subject ids: account 1 uses 1..S(type); account a > 1 uses a * 100,000,000 + 1 .. + S(type).
"""
import argparse
import json
import os
import random
import time

TYPES = [("TimeEntry", 40), ("Workspace", 20), ("Story", 20), ("Invoice", 10), ("Expense", 10)]
SERVICES = [
    # service_name, service_model by subject type (default), ref prefix, link template
    ("jira", "Issue", "JIRA", "https://example.atlassian.net/browse/JIRA-{ref}"),
    ("quickbooks", "TimeActivity", "QB", "https://app.qbo.intuit.com/app/timeactivity?txnId={ref}"),
    ("salesforce", "Opportunity", "SF", "salesforce://Opportunity/006{ref:012d}"),
    ("netsuite", "Transaction", "NS", "https://1234567.app.netsuite.com/app/accounting/transactions/{ref}"),
]
START = 1_672_531_200  # 2023-01-01T00:00:00Z
SPAN = 2 * 365 * 86_400  # two years
ACCOUNT_ID_BASE = 100_000_000


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def counts(total):
    """References per type, a multiple of 4 (one per service name), summing to 4 * floor(total / 4)."""
    subjects_total = total // 4
    per_type = [subjects_total * pct // 100 for _, pct in TYPES]
    per_type[0] += subjects_total - sum(per_type)  # rounding goes to TimeEntry
    return {name: n for (name, _), n in zip(TYPES, per_type)}  # subjects per type


def write_account(out, account, refs, rng):
    folder = os.path.join(out, f"account-{account}")
    os.makedirs(folder, exist_ok=True)
    subjects = counts(refs)
    base = 0 if account == 1 else account * ACCOUNT_ID_BASE
    with open(os.path.join(folder, "subjects.jsonl"), "w", encoding="utf-8") as f:
        for name, n in subjects.items():
            f.write("".join(f'{{"type":"{name}","id":{base + i},"title":"{name} {base + i} of account {account}"}}\n'
                            for i in range(1, n + 1)))
    # Every (type, subject, service) key once, in random order, then timestamps rising along the file.
    keys = [(t, i, s) for t, (name, n) in enumerate(subjects.items()) for i in range(1, n + 1) for s in range(4)]
    rng.shuffle(keys)
    names = list(subjects)
    total = len(keys)
    rand = rng.random
    step = SPAN / max(1, total)
    lines = []
    for k, (t, i, s) in enumerate(keys):
        service, model, prefix, link = SERVICES[s]
        created = START + int(k * step + rand() * step)
        r = rand()
        # Most references are touched again soon after creation; some much later; some never.
        age = START + SPAN - created
        if r < 0.3:
            updated = created
        elif r < 0.9:
            updated = created + int(rand() * min(age, 7 * 86_400))
        else:
            updated = created + int(rand() * age)
        synced = updated if rand() < 0.8 else updated + int(rand() * min(START + SPAN - updated, 86_400))
        x = rand()
        status = "successful" if x < 0.80 else "pending" if x < 0.95 else "failed"
        ref = base * 10 + t * 10_000_000 + i * 4 + s
        if status == "failed":
            extra = f',"external_status":"error","external_message":"{service} rejected the record: validation failed (code {ref % 97})"'
        elif status == "pending":
            extra = ',"external_status":"queued","external_message":null'
        else:
            extra = ',"external_status":"synced","external_message":null'
        lines.append(
            f'{{"subject_type":"{names[t]}","subject_id":{base + i},"service_name":"{service}",'
            f'"service_model":"{model}","service_model_ref":"{prefix}-{ref}","status":"{status}",'
            f'"external_link":"{link.format(ref=ref)}"{extra},"locked":{"true" if ref % 50 == 0 else "false"},'
            f'"created_at":"{iso(created)}","updated_at":"{iso(updated)}","last_synced_at":"{iso(synced)}"}}\n')
        if len(lines) >= 50_000:
            yield_lines(folder, lines)
            lines = []
    yield_lines(folder, lines)
    return {name: {"first_id": base + 1, "last_id": base + n, "subjects": n, "references": 4 * n}
            for name, n in subjects.items()}


_opened = {}


def yield_lines(folder, lines):
    path = os.path.join(folder, "refs.jsonl")
    f = _opened.get(path)
    if f is None:
        f = _opened[path] = open(path, "w", encoding="utf-8")
    f.write("".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refs", type=int, default=1_000_000, help="references in account 1 (default 1,000,000)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=20250304)
    args = parser.parse_args()
    if args.refs < 400:
        parser.error("--refs must be at least 400")
    started = time.monotonic()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    layout = {"refs": args.refs, "accounts": {}}
    for account, refs in [(1, args.refs)] + [(a, max(400, args.refs // 100)) for a in (2, 3, 4)]:
        layout["accounts"][str(account)] = write_account(args.out, account, refs, rng)
    for f in _opened.values():
        f.close()
    with open(os.path.join(args.out, "layout.json"), "w", encoding="utf-8") as f:
        json.dump(layout, f, indent=1)
    total = sum(t["references"] for a in layout["accounts"].values() for t in a.values())
    print(f"generated {total} references in {time.monotonic() - started:.1f} s into {args.out}")


if __name__ == "__main__":
    main()
