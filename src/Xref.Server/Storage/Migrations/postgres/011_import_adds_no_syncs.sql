-- An import's own reference writes are not syncs: with webhook_mutes set (only inside an import's transaction, as
-- for the webhooks) they add nothing to reference_sync_hours, whose rows the export carries as history; without
-- this, export -> import -> export would count every reference's last sync twice. 010's function, with the test added.
CREATE OR REPLACE FUNCTION reference_counts_on_write() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF TG_OP <> 'DELETE' AND NOT EXISTS (SELECT 1 FROM webhook_mutes) THEN
        -- Locked in key order, as the counts are, so two writers cannot deadlock.
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
