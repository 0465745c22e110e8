-- Subject ids are a namespace per account: (account_id, type, id) is the key. With ids global per type, an
-- account could learn which ids other accounts hold (auto-subjects got 422 for another account's id and 200 for a
-- free one) and block them (a later seed giving that id to its real owner failed). Now no account's answer depends
-- on another's subjects.
ALTER TABLE subjects DROP CONSTRAINT subjects_pkey;
DROP INDEX subjects_account;
ALTER TABLE subjects ADD PRIMARY KEY (account_id, type, id);
