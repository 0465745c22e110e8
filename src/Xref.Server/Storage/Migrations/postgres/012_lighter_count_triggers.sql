-- The count triggers of 007 (with 010 and 011's sync hours), cheaper for the one-row statements the API runs. An upsert (INSERT ... ON CONFLICT)
-- fires both the INSERT and the UPDATE statement triggers, one of them with an empty transition table; each built
-- an array, called a second function and ran two INSERT ... ON CONFLICT even for no rows. Now each trigger returns
-- at once when its statement wrote no rows, and adds its changes with plain INSERTs over the transition tables.
-- Meaning, striping and the lock order (count rows in key order) are unchanged; the sync hours of 010 (muted during
-- an import, 011) are added at the end of the insert and update triggers, as 011's single function did.
DROP TRIGGER reference_counts_on_insert ON external_references;
DROP TRIGGER reference_counts_on_update ON external_references;
DROP TRIGGER reference_counts_on_delete ON external_references;
DROP FUNCTION reference_counts_on_write();
DROP FUNCTION reference_counts_apply(reference_count_change[]);
DROP TYPE reference_count_change;

-- An inserted row counts +1 and one write; a deleted row -1 and one write; an updated row -1 under its old status
-- with one write and +1 under its new status (so an update that keeps the status is a write only).
CREATE FUNCTION reference_counts_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reference_stats AS s (account_id, subject_type, service_name, status, stripe, n, writes)
    SELECT account_id, subject_type, service_name, status, pg_backend_pid() % 16, COUNT(*), COUNT(*)
    FROM new_rows GROUP BY account_id, subject_type, service_name, status
    ORDER BY account_id, subject_type, service_name, status
    ON CONFLICT (account_id, subject_type, service_name, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    IF NOT FOUND THEN RETURN NULL; END IF;  -- the statement wrote no rows (an upsert's other trigger)
    INSERT INTO reference_totals AS s (account_id, subject_type, status, stripe, n, writes)
    SELECT account_id, subject_type, status, pg_backend_pid() % 16, COUNT(*), COUNT(*)
    FROM new_rows GROUP BY account_id, subject_type, status
    ORDER BY account_id, subject_type, status
    ON CONFLICT (account_id, subject_type, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    IF NOT EXISTS (SELECT 1 FROM webhook_mutes) THEN  -- an import's writes are not syncs (011)
        INSERT INTO reference_sync_hours AS h (account_id, hour, subject_type, service_name, stripe, syncs, failures)
        SELECT account_id, last_synced_at / 3600, subject_type, service_name, pg_backend_pid() % 16,
            COUNT(*), COUNT(*) FILTER (WHERE status = 'failed')
        FROM new_rows GROUP BY account_id, last_synced_at / 3600, subject_type, service_name
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (account_id, hour, subject_type, service_name, stripe)
        DO UPDATE SET syncs = h.syncs + excluded.syncs, failures = h.failures + excluded.failures;
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION reference_counts_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reference_stats AS s (account_id, subject_type, service_name, status, stripe, n, writes)
    SELECT account_id, subject_type, service_name, status, pg_backend_pid() % 16, -COUNT(*), COUNT(*)
    FROM old_rows GROUP BY account_id, subject_type, service_name, status
    ORDER BY account_id, subject_type, service_name, status
    ON CONFLICT (account_id, subject_type, service_name, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    IF NOT FOUND THEN RETURN NULL; END IF;  -- the statement wrote no rows (an upsert's other trigger)
    INSERT INTO reference_totals AS s (account_id, subject_type, status, stripe, n, writes)
    SELECT account_id, subject_type, status, pg_backend_pid() % 16, -COUNT(*), COUNT(*)
    FROM old_rows GROUP BY account_id, subject_type, status
    ORDER BY account_id, subject_type, status
    ON CONFLICT (account_id, subject_type, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    RETURN NULL;
END
$$;
CREATE FUNCTION reference_counts_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reference_stats AS s (account_id, subject_type, service_name, status, stripe, n, writes)
    SELECT account_id, subject_type, service_name, status, pg_backend_pid() % 16, SUM(n), SUM(w)
    FROM (SELECT account_id, subject_type, service_name, status, -1 AS n, 1 AS w FROM old_rows
          UNION ALL SELECT account_id, subject_type, service_name, status, 1, 0 FROM new_rows) c GROUP BY account_id, subject_type, service_name, status
    ORDER BY account_id, subject_type, service_name, status
    ON CONFLICT (account_id, subject_type, service_name, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    IF NOT FOUND THEN RETURN NULL; END IF;  -- the statement wrote no rows (an upsert's other trigger)
    INSERT INTO reference_totals AS s (account_id, subject_type, status, stripe, n, writes)
    SELECT account_id, subject_type, status, pg_backend_pid() % 16, SUM(n), SUM(w)
    FROM (SELECT account_id, subject_type, service_name, status, -1 AS n, 1 AS w FROM old_rows
          UNION ALL SELECT account_id, subject_type, service_name, status, 1, 0 FROM new_rows) c GROUP BY account_id, subject_type, status
    ORDER BY account_id, subject_type, status
    ON CONFLICT (account_id, subject_type, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    IF NOT EXISTS (SELECT 1 FROM webhook_mutes) THEN  -- an import's writes are not syncs (011)
        INSERT INTO reference_sync_hours AS h (account_id, hour, subject_type, service_name, stripe, syncs, failures)
        SELECT account_id, last_synced_at / 3600, subject_type, service_name, pg_backend_pid() % 16,
            COUNT(*), COUNT(*) FILTER (WHERE status = 'failed')
        FROM new_rows GROUP BY account_id, last_synced_at / 3600, subject_type, service_name
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (account_id, hour, subject_type, service_name, stripe)
        DO UPDATE SET syncs = h.syncs + excluded.syncs, failures = h.failures + excluded.failures;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER reference_counts_on_insert AFTER INSERT ON external_references
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_counts_on_insert();
CREATE TRIGGER reference_counts_on_update AFTER UPDATE ON external_references
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_counts_on_update();
CREATE TRIGGER reference_counts_on_delete AFTER DELETE ON external_references
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_counts_on_delete();
