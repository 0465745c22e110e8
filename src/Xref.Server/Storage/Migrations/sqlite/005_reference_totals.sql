-- Counts per (account, subject type, status) without the service name, and the listing's version. Summing
-- reference_stats over every service name of a subject type grew with the number of service names (a
-- workload that creates references under thousands of service names made every listing slower); these rows
-- are few and fixed: three statuses per subject type (times 16 stripes on PostgreSQL).
CREATE TABLE reference_totals (
    account_id    INTEGER NOT NULL,
    subject_type  TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    stripe        INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    writes        INTEGER NOT NULL,
    PRIMARY KEY (account_id, subject_type, status, stripe)
) WITHOUT ROWID;

INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
SELECT account_id, subject_type, status, 0, SUM(n), SUM(writes)
FROM reference_stats GROUP BY account_id, subject_type, status;

CREATE TRIGGER reference_totals_on_insert AFTER INSERT ON external_references BEGIN
    INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
    VALUES (new.account_id, new.subject_type, new.status, 0, 1, 1)
    ON CONFLICT (account_id, subject_type, status, stripe) DO UPDATE SET n = n + 1, writes = writes + 1;
END;

CREATE TRIGGER reference_totals_on_delete AFTER DELETE ON external_references BEGIN
    INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
    VALUES (old.account_id, old.subject_type, old.status, 0, -1, 1)
    ON CONFLICT (account_id, subject_type, status, stripe) DO UPDATE SET n = n - 1, writes = writes + 1;
END;

CREATE TRIGGER reference_totals_on_update AFTER UPDATE ON external_references BEGIN
    INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
    VALUES (old.account_id, old.subject_type, old.status, 0, -1, 1)
    ON CONFLICT (account_id, subject_type, status, stripe) DO UPDATE SET n = n - 1, writes = writes + 1;
    INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
    VALUES (new.account_id, new.subject_type, new.status, 0, 1, 0)
    ON CONFLICT (account_id, subject_type, status, stripe) DO UPDATE SET n = n + 1;
END;
