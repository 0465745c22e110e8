-- Counts per (account, subject type, status) without the service name, and the listing's version. Summing
-- reference_stats over every service name of a subject type grew with the number of service names (a
-- workload that creates references under thousands of service names made every listing slower); these rows
-- are few and fixed: three statuses per subject type, times 16 stripes.
CREATE TABLE reference_totals (
    account_id    BIGINT NOT NULL,
    subject_type  TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    stripe        INT    NOT NULL,
    n             BIGINT NOT NULL,
    writes        BIGINT NOT NULL,
    PRIMARY KEY (account_id, subject_type, status, stripe)
);

INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
SELECT account_id, subject_type, status, 0, SUM(n), SUM(writes)
FROM reference_stats GROUP BY account_id, subject_type, status;

-- reference_stats_add now maintains both levels; the trigger function is unchanged.
CREATE OR REPLACE FUNCTION reference_stats_add(a BIGINT, t TEXT, s TEXT, st TEXT, delta BIGINT, w BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (a, t, s, st, pg_backend_pid() % 16, delta, w)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe)
    DO UPDATE SET n = reference_stats.n + excluded.n, writes = reference_stats.writes + excluded.writes;
    INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
    VALUES (a, t, st, pg_backend_pid() % 16, delta, w)
    ON CONFLICT (account_id, subject_type, status, stripe)
    DO UPDATE SET n = reference_totals.n + excluded.n, writes = reference_totals.writes + excluded.writes;
$$;
