-- An update that keeps its status (most re-syncs) changes no count: it only has to bump the listing's version.
-- One UPDATE of an existing reference_totals row replaces the four count-row upserts the update trigger of
-- 004/005 made, which SQLite's single writer paid on every such upsert. reference_stats.writes is no longer
-- read (the version is reference_totals.writes since 005), so it is no longer bumped by updates either.
DROP TRIGGER reference_stats_on_update;
DROP TRIGGER reference_totals_on_update;

CREATE TRIGGER reference_counts_on_status_change AFTER UPDATE OF status ON external_references
WHEN old.status IS NOT new.status BEGIN
    UPDATE reference_stats SET n = n - 1
    WHERE account_id = old.account_id AND subject_type = old.subject_type AND service_name = old.service_name AND status = old.status AND stripe = 0;
    INSERT INTO reference_stats (account_id, subject_type, service_name, status, stripe, n, writes)
    VALUES (new.account_id, new.subject_type, new.service_name, new.status, 0, 1, 0)
    ON CONFLICT (account_id, subject_type, service_name, status, stripe) DO UPDATE SET n = n + 1;
    UPDATE reference_totals SET n = n - 1, writes = writes + 1
    WHERE account_id = old.account_id AND subject_type = old.subject_type AND status = old.status AND stripe = 0;
    INSERT INTO reference_totals (account_id, subject_type, status, stripe, n, writes)
    VALUES (new.account_id, new.subject_type, new.status, 0, 1, 0)
    ON CONFLICT (account_id, subject_type, status, stripe) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER reference_version_on_update AFTER UPDATE ON external_references
WHEN old.status IS new.status BEGIN
    UPDATE reference_totals SET writes = writes + 1
    WHERE account_id = new.account_id AND subject_type = new.subject_type AND status = new.status AND stripe = 0;
END;
