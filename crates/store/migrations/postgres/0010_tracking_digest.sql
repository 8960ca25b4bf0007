-- wangjian schema v10 (postgres): a complaint keeps the SHA-256 of its tracking number, never
-- the number (issue 15): neither a copy of the database nor an officer's screen may hand
-- out the key to a submitter's status page. The store computes the digests of the rows
-- already there between the two halves of this file (the `@data` line:
-- `complaints::hash_tracking_numbers`, the same code as on SQLite, which also re-keys the
-- leads made from them); then the number is dropped.
ALTER TABLE complaints ADD COLUMN tracking_digest TEXT;
-- @data hash_tracking_numbers
ALTER TABLE complaints DROP COLUMN tracking_number;
ALTER TABLE complaints ALTER COLUMN tracking_digest SET NOT NULL;
ALTER TABLE complaints ADD CONSTRAINT complaints_tracking_digest_key UNIQUE (tracking_digest);
