-- Exact counts of references per (account, subject type, service, status), kept in step with every write by
-- a trigger in the same transaction, so a listing's count is a sum over a few rows instead of a scan.
-- `writes` only grows: its sum per (account, subject type) is the listing's version, which changes whenever a
-- write to that listing commits (page-boundary cache, see ExternalReferenceStore). Concurrent writers are
-- spread over 16 stripes (by backend), so 32 writers do not queue on one hot row; reads sum the stripes.
CREATE TABLE reference_stats (
    account_id    BIGINT NOT NULL,
    subject_type  TEXT   NOT NULL,
    service_name  TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    stripe        INT    NOT NULL,
    n             BIGINT NOT NULL,
    writes        BIGINT NOT NULL,
    PRIMARY KEY (account_id, subject_type, service_name, status, stripe)
);

INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
SELECT account_id, subject_type, service_name, status, 0, COUNT(*), COUNT(*)
FROM external_references GROUP BY account_id, subject_type, service_name, status;

CREATE FUNCTION reference_stats_add(a BIGINT, t TEXT, s TEXT, st TEXT, delta BIGINT, w BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (a, t, s, st, pg_backend_pid() % 16, delta, w)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe)
    DO UPDATE SET n = reference_stats.n + excluded.n, writes = reference_stats.writes + excluded.writes;
$$;

CREATE FUNCTION reference_stats_on_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reference_stats_add(NEW.account_id, NEW.subject_type, NEW.service_name, NEW.status, 1, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM reference_stats_add(OLD.account_id, OLD.subject_type, OLD.service_name, OLD.status, -1, 1);
    ELSIF OLD.status = NEW.status THEN
        PERFORM reference_stats_add(NEW.account_id, NEW.subject_type, NEW.service_name, NEW.status, 0, 1);
    ELSIF OLD.status < NEW.status THEN  -- rows are always locked in status order, so two updates cannot deadlock
        PERFORM reference_stats_add(OLD.account_id, OLD.subject_type, OLD.service_name, OLD.status, -1, 1);
        PERFORM reference_stats_add(NEW.account_id, NEW.subject_type, NEW.service_name, NEW.status, 1, 0);
    ELSE
        PERFORM reference_stats_add(NEW.account_id, NEW.subject_type, NEW.service_name, NEW.status, 1, 0);
        PERFORM reference_stats_add(OLD.account_id, OLD.subject_type, OLD.service_name, OLD.status, -1, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reference_stats_on_write AFTER INSERT OR UPDATE OR DELETE ON external_references
    FOR EACH ROW EXECUTE FUNCTION reference_stats_on_write();

-- Listing indexes in the exact default order (newest first, id ascending on ties), so a page is read
-- straight off the index with no sort.
DROP INDEX external_references_by_synced;
CREATE INDEX external_references_by_synced ON external_references (account_id, subject_type, last_synced_at DESC, id);
DROP INDEX external_references_by_created;
CREATE INDEX external_references_by_created ON external_references (account_id, subject_type, created_at DESC, id);
-- The narrow listing sync jobs poll: one service's failed (or pending) references.
-- What each listing index buys and what it costs the upsert: bench/README.md, "Index costs".
CREATE INDEX external_references_by_service_status ON external_references (account_id, subject_type, service_name, status, last_synced_at DESC, id);
