-- Exact counts of references per (account, subject type, service, status), kept in step with every write by
-- triggers in the same transaction, so a listing's count is a sum over a few rows instead of a scan.
-- `writes` only grows: its sum per (account, subject type) is the listing's version, which changes whenever a
-- write to that listing commits (page-boundary cache, see ExternalReferenceStore). SQLite has one writer, so
-- one stripe (0) suffices; PostgreSQL spreads writers over 16 stripes.
CREATE TABLE reference_stats (
    account_id    INTEGER NOT NULL,
    subject_type  TEXT    NOT NULL,
    service_name  TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    stripe        INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    writes        INTEGER NOT NULL,
    PRIMARY KEY (account_id, subject_type, service_name, status, stripe)
) WITHOUT ROWID;

INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
SELECT account_id, subject_type, service_name, status, 0, COUNT(*), COUNT(*)
FROM external_references GROUP BY account_id, subject_type, service_name, status;

CREATE TRIGGER reference_stats_on_insert AFTER INSERT ON external_references BEGIN
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (new.account_id, new.subject_type, new.service_name, new.status, 0, 1, 1)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe) DO UPDATE SET n = n + 1, writes = writes + 1;
END;

CREATE TRIGGER reference_stats_on_delete AFTER DELETE ON external_references BEGIN
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (old.account_id, old.subject_type, old.service_name, old.status, 0, -1, 1)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe) DO UPDATE SET n = n - 1, writes = writes + 1;
END;

-- An update moves the row between statuses (n) and always bumps the listing's version (writes).
CREATE TRIGGER reference_stats_on_update AFTER UPDATE ON external_references BEGIN
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (old.account_id, old.subject_type, old.service_name, old.status, 0, -1, 1)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe) DO UPDATE SET n = n - 1, writes = writes + 1;
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (new.account_id, new.subject_type, new.service_name, new.status, 0, 1, 0)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe) DO UPDATE SET n = n + 1;
END;

-- Listing indexes in the exact default order (newest first, id ascending on ties), so a page is read
-- straight off the index with no sort.
DROP INDEX external_references_by_synced;
CREATE INDEX external_references_by_synced ON external_references (account_id, subject_type, last_synced_at DESC, id);
DROP INDEX external_references_by_created;
CREATE INDEX external_references_by_created ON external_references (account_id, subject_type, created_at DESC, id);
-- The narrow listing sync jobs poll: one service's failed (or pending) references.
-- What each listing index buys and what it costs the upsert: bench/README.md, "Index costs".
CREATE INDEX external_references_by_service_status ON external_references (account_id, subject_type, service_name, status, last_synced_at DESC, id);
