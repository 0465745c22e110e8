-- Status reports (project health reports, wire contract §6). Their external references live in
-- external_references with subject_type 'StatusReport'.
CREATE TABLE status_reports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    workspace_id  INTEGER NOT NULL,
    color         TEXT    NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    description   TEXT    NOT NULL,
    details       TEXT    NOT NULL DEFAULT '[]',  -- JSON array of {category, color, description}, in request order
    creator_id    INTEGER NOT NULL REFERENCES users(id),
    updater_id    INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- The default order (updated_at:desc) and the updated filters.
CREATE INDEX status_reports_by_updated ON status_reports (account_id, updated_at, id);
-- order=created_at and the created filters.
CREATE INDEX status_reports_by_created ON status_reports (account_id, created_at, id);
-- The workspace_id filter.
CREATE INDEX status_reports_by_workspace ON status_reports (account_id, workspace_id, id);
