-- Subject ids are a namespace per account: (account_id, type, id) is the key. With ids global per type, an
-- account could learn which ids other accounts hold (auto-subjects got 422 for another account's id and 200 for a
-- free one) and block them (a later seed giving that id to its real owner failed). Now no account's answer depends
-- on another's subjects. SQLite cannot change a primary key in place: the table is rebuilt.
CREATE TABLE subjects_by_account (
    type        TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    attributes  TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, type, id)
);
INSERT INTO subjects_by_account (type, id, account_id, attributes, created_at, updated_at)
    SELECT type, id, account_id, attributes, created_at, updated_at FROM subjects;
DROP TABLE subjects;
ALTER TABLE subjects_by_account RENAME TO subjects;
