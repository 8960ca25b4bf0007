-- wangjian schema v10 (sqlite): a complaint keeps the SHA-256 of its tracking number, never
-- the number (issue 15): neither a copy of the database nor an officer's screen may hand
-- out the key to a submitter's status page. SQLite has no SHA-256, so the store computes
-- the digests of the rows already there between the two halves of this file (the
-- `@data` line: `complaints::hash_tracking_numbers`, which also re-keys the leads made
-- from them); then the table is rebuilt without the number (a UNIQUE column cannot be
-- dropped in SQLite).
ALTER TABLE complaints ADD COLUMN tracking_digest TEXT;
-- @data hash_tracking_numbers
CREATE TABLE complaints_v10 (
  id TEXT PRIMARY KEY, tracking_digest TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  text TEXT NOT NULL, links TEXT NOT NULL, contact TEXT NOT NULL, respondent TEXT NOT NULL,
  region TEXT NOT NULL, handler TEXT NOT NULL REFERENCES organizations(id),
  submitted_at TEXT NOT NULL, accept_due TEXT NOT NULL, attachments TEXT NOT NULL,
  state TEXT NOT NULL, decided_by TEXT, decided_at TEXT, refusal_reason TEXT, outcome TEXT,
  lead TEXT REFERENCES leads(id), version INTEGER NOT NULL);
INSERT INTO complaints_v10 (id, tracking_digest, kind, text, links, contact, respondent,
  region, handler, submitted_at, accept_due, attachments, state, decided_by, decided_at,
  refusal_reason, outcome, lead, version)
  SELECT id, tracking_digest, kind, text, links, contact, respondent, region, handler,
    submitted_at, accept_due, attachments, state, decided_by, decided_at, refusal_reason,
    outcome, lead, version FROM complaints;
DROP TABLE complaints;
ALTER TABLE complaints_v10 RENAME TO complaints;
CREATE INDEX complaints_handler ON complaints(handler, id);
CREATE INDEX complaints_handler_state ON complaints(handler, state, accept_due);
