-- The counts of 004/005 kept by statement-level triggers over transition tables instead of a PL/pgSQL call per
-- row (which also re-planned its two SQL-function INSERTs on every call): a statement that writes thousands of
-- rows (xref import) aggregates them once and touches each count row once. Meaning and striping are unchanged.
DROP TRIGGER reference_stats_on_write ON external_references;
DROP FUNCTION reference_stats_on_write();
DROP FUNCTION reference_stats_add(BIGINT, TEXT, TEXT, TEXT, BIGINT, BIGINT);

CREATE TYPE reference_count_change AS (account_id BIGINT, subject_type TEXT, service_name TEXT, status TEXT, n BIGINT, writes BIGINT);

-- Adds changes to both count tables, locking count rows in key order so that two writers cannot deadlock.
CREATE FUNCTION reference_counts_apply(changes reference_count_change[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reference_stats AS s (account_id, subject_type, service_name, status, stripe, n, writes)
    SELECT account_id, subject_type, service_name, status, pg_backend_pid() % 16, SUM(n), SUM(writes)
    FROM unnest(changes) GROUP BY account_id, subject_type, service_name, status
    ORDER BY account_id, subject_type, service_name, status
    ON CONFLICT (account_id, subject_type, service_name, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
    INSERT INTO reference_totals AS s (account_id, subject_type, status, stripe, n, writes)
    SELECT account_id, subject_type, status, pg_backend_pid() % 16, SUM(n), SUM(writes)
    FROM unnest(changes) GROUP BY account_id, subject_type, status
    ORDER BY account_id, subject_type, status
    ON CONFLICT (account_id, subject_type, status, stripe)
    DO UPDATE SET n = s.n + excluded.n, writes = s.writes + excluded.writes;
END
$$;

-- An inserted row counts +1 and one write; a deleted row -1 and one write; an updated row -1 under its old
-- status with one write and +1 under its new status (so an update that keeps the status is a write only).
CREATE FUNCTION reference_counts_on_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reference_counts_apply(ARRAY(
            SELECT ROW(account_id, subject_type, service_name, status, COUNT(*), COUNT(*))::reference_count_change
            FROM new_rows GROUP BY account_id, subject_type, service_name, status));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM reference_counts_apply(ARRAY(
            SELECT ROW(account_id, subject_type, service_name, status, -COUNT(*), COUNT(*))::reference_count_change
            FROM old_rows GROUP BY account_id, subject_type, service_name, status));
    ELSE
        PERFORM reference_counts_apply(ARRAY(
            SELECT ROW(account_id, subject_type, service_name, status, SUM(n), SUM(w))::reference_count_change
            FROM (SELECT account_id, subject_type, service_name, status, -1 AS n, 1 AS w FROM old_rows
                  UNION ALL
                  SELECT account_id, subject_type, service_name, status, 1, 0 FROM new_rows) c
            GROUP BY account_id, subject_type, service_name, status));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reference_counts_on_insert AFTER INSERT ON external_references
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_counts_on_write();
CREATE TRIGGER reference_counts_on_update AFTER UPDATE ON external_references
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_counts_on_write();
CREATE TRIGGER reference_counts_on_delete AFTER DELETE ON external_references
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_counts_on_write();
