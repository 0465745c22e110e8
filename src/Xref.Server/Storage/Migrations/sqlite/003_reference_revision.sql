-- Counts the updates of each reference: 0 right after it is created. An upsert's RETURNING tells from it
-- whether it created or updated the row, the same way on both databases (xref import reports both).
ALTER TABLE external_references ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
