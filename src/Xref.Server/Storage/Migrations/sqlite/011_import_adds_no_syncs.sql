-- An import's own reference writes are not syncs: with webhook_mutes set (only inside an import's transaction, as
-- for the webhooks) they add nothing to reference_sync_hours, whose rows the export carries as history; without
-- this, export -> import -> export would count every reference's last sync twice. 010's triggers, with the WHEN added.
DROP TRIGGER reference_sync_hours_on_insert;
DROP TRIGGER reference_sync_hours_on_update;

CREATE TRIGGER reference_sync_hours_on_insert AFTER INSERT ON external_references
WHEN NOT EXISTS (SELECT 1 FROM webhook_mutes) BEGIN
    INSERT INTO reference_sync_hours (account_id, hour, subject_type, service_name, stripe, syncs, failures)
    VALUES (new.account_id, new.last_synced_at / 3600, new.subject_type, new.service_name, 0, 1, new.status = 'failed')
    ON CONFLICT (account_id, hour, subject_type, service_name, stripe)
    DO UPDATE SET syncs = syncs + 1, failures = failures + excluded.failures;
END;

CREATE TRIGGER reference_sync_hours_on_update AFTER UPDATE OF last_synced_at ON external_references
WHEN NOT EXISTS (SELECT 1 FROM webhook_mutes) BEGIN
    INSERT INTO reference_sync_hours (account_id, hour, subject_type, service_name, stripe, syncs, failures)
    VALUES (new.account_id, new.last_synced_at / 3600, new.subject_type, new.service_name, 0, 1, new.status = 'failed')
    ON CONFLICT (account_id, hour, subject_type, service_name, stripe)
    DO UPDATE SET syncs = syncs + 1, failures = failures + excluded.failures;
END;
