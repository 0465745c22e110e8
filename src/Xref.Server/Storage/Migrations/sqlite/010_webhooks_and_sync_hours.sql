-- Issue 16: webhook subscriptions and their transactional outbox, and the hourly sync counts behind the dashboard's
-- failure rate. Owners: Webhooks/WebhookStore (webhook_*), Dashboard/SyncSummaryStore (reference_sync_hours).

-- An account's receivers. The secret is the HMAC key each delivery is signed with, so it is stored as given (a hash
-- could not sign); whoever can read the database is trusted (README, threat model). URLs are http(s) only.
CREATE TABLE webhook_subscriptions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    url           TEXT    NOT NULL,
    on_failed     INTEGER NOT NULL,  -- boolean: send reference.failed
    on_recovered  INTEGER NOT NULL,  -- boolean: send reference.recovered
    secret        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_account ON webhook_subscriptions (account_id);

-- The outbox and the delivery log in one: a trigger writes one row per subscription in the same transaction as the
-- status change (so a commit without its event, or an event without its commit, cannot happen); the dispatcher
-- (Webhooks/WebhookDispatcher) delivers it, retries it with backoff, and records every outcome on it.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id  INTEGER NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL,
    event            TEXT    NOT NULL,  -- reference.failed, reference.recovered
    reference_id     INTEGER NOT NULL,
    previous_status  TEXT,              -- null when the reference was created failed
    reference        TEXT    NOT NULL,  -- the row as the change left it (JSON of its columns)
    occurred_at      INTEGER NOT NULL,  -- the reference's updated_at: Xref's clock
    state            TEXT    NOT NULL DEFAULT 'pending',  -- pending, delivered, failed (gave up)
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL DEFAULT 0,  -- wall clock, Unix ms; a claim moves it one lease ahead
    last_attempt_ms  INTEGER,
    response_status  INTEGER,
    last_error       TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id);

-- A row here (only ever inside an import's own transaction, so no other writer sees it) mutes the triggers below:
-- `xref import` restores or migrates data, it is not a sync, and must not announce a change per line.
CREATE TABLE webhook_mutes (muted INTEGER NOT NULL);

-- The common write costs only the WHEN test: a row enters or leaves `failed` in a few writes out of many, and only
-- then are the account's subscriptions read.
CREATE TRIGGER webhook_events_on_insert AFTER INSERT ON external_references WHEN new.status = 'failed' BEGIN
    INSERT INTO webhook_deliveries (subscription_id, account_id, event, reference_id, previous_status, reference, occurred_at)
    SELECT s.id, new.account_id, 'reference.failed', new.id, NULL,
        json_object('id', new.id, 'account_id', new.account_id, 'subject_type', new.subject_type, 'subject_id', new.subject_id,
            'service_name', new.service_name, 'service_model', new.service_model, 'service_model_ref', new.service_model_ref,
            'status', new.status, 'external_link', new.external_link, 'external_status', new.external_status,
            'external_message', new.external_message, 'locked', new.locked, 'created_at', new.created_at,
            'updated_at', new.updated_at, 'last_synced_at', new.last_synced_at),
        new.updated_at
    FROM webhook_subscriptions s
    WHERE s.account_id = new.account_id AND s.on_failed AND NOT EXISTS (SELECT 1 FROM webhook_mutes);
END;

CREATE TRIGGER webhook_events_on_status_change AFTER UPDATE OF status ON external_references
WHEN (old.status = 'failed') <> (new.status = 'failed') BEGIN
    INSERT INTO webhook_deliveries (subscription_id, account_id, event, reference_id, previous_status, reference, occurred_at)
    SELECT s.id, new.account_id, CASE WHEN new.status = 'failed' THEN 'reference.failed' ELSE 'reference.recovered' END,
        new.id, old.status,
        json_object('id', new.id, 'account_id', new.account_id, 'subject_type', new.subject_type, 'subject_id', new.subject_id,
            'service_name', new.service_name, 'service_model', new.service_model, 'service_model_ref', new.service_model_ref,
            'status', new.status, 'external_link', new.external_link, 'external_status', new.external_status,
            'external_message', new.external_message, 'locked', new.locked, 'created_at', new.created_at,
            'updated_at', new.updated_at, 'last_synced_at', new.last_synced_at),
        new.updated_at
    FROM webhook_subscriptions s
    WHERE s.account_id = new.account_id AND (CASE WHEN new.status = 'failed' THEN s.on_failed ELSE s.on_recovered END)
      AND NOT EXISTS (SELECT 1 FROM webhook_mutes);
END;

-- Syncs and failed syncs per account, hour (of last_synced_at, Unix seconds / 3600), subject type and service: the
-- dashboard's "failure rate over the last 24 hours" sums at most 24 rows per pair instead of scanning references.
-- Every insert and every update (each write sets last_synced_at) adds one sync; it costs each write one more
-- upsert of a small row (measured in docs/dashboard.md). `hour` leads after the account, so the last 24 hours are
-- one range of the key however long the history grows.
CREATE TABLE reference_sync_hours (
    account_id    INTEGER NOT NULL,
    hour          INTEGER NOT NULL,
    subject_type  TEXT    NOT NULL,
    service_name  TEXT    NOT NULL,
    stripe        INTEGER NOT NULL,
    syncs         INTEGER NOT NULL,
    failures      INTEGER NOT NULL,
    PRIMARY KEY (account_id, hour, subject_type, service_name, stripe)
) WITHOUT ROWID;

-- What exists already counts as one sync each, at its last_synced_at (older syncs were not recorded).
INSERT INTO reference_sync_hours (account_id, hour, subject_type, service_name, stripe, syncs, failures)
SELECT account_id, last_synced_at / 3600, subject_type, service_name, 0, COUNT(*), SUM(status = 'failed')
FROM external_references GROUP BY account_id, last_synced_at / 3600, subject_type, service_name;

CREATE TRIGGER reference_sync_hours_on_insert AFTER INSERT ON external_references BEGIN
    INSERT INTO reference_sync_hours (account_id, hour, subject_type, service_name, stripe, syncs, failures)
    VALUES (new.account_id, new.last_synced_at / 3600, new.subject_type, new.service_name, 0, 1, new.status = 'failed')
    ON CONFLICT (account_id, hour, subject_type, service_name, stripe)
    DO UPDATE SET syncs = syncs + 1, failures = failures + excluded.failures;
END;

CREATE TRIGGER reference_sync_hours_on_update AFTER UPDATE OF last_synced_at ON external_references BEGIN
    INSERT INTO reference_sync_hours (account_id, hour, subject_type, service_name, stripe, syncs, failures)
    VALUES (new.account_id, new.last_synced_at / 3600, new.subject_type, new.service_name, 0, 1, new.status = 'failed')
    ON CONFLICT (account_id, hour, subject_type, service_name, stripe)
    DO UPDATE SET syncs = syncs + 1, failures = failures + excluded.failures;
END;
