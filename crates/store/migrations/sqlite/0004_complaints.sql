-- Complaints (投诉) and reports (举报) from the public portal (their attachments are rows
-- of the evidence store's `blobs`, named by SHA-256 in `attachments`), and the accounts'
-- security events (sign-ins, failures, permission changes: the audit table needs an
-- actor, a failed sign-in may have none).
CREATE TABLE complaints (
  id TEXT PRIMARY KEY, tracking_number TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  text TEXT NOT NULL, links TEXT NOT NULL, contact TEXT NOT NULL, respondent TEXT NOT NULL,
  region TEXT NOT NULL, handler TEXT NOT NULL REFERENCES organizations(id),
  submitted_at TEXT NOT NULL, accept_due TEXT NOT NULL, attachments TEXT NOT NULL,
  state TEXT NOT NULL, decided_by TEXT, decided_at TEXT, refusal_reason TEXT, outcome TEXT,
  lead TEXT REFERENCES leads(id), version INTEGER NOT NULL);
CREATE INDEX complaints_handler ON complaints(handler, id);
CREATE INDEX complaints_handler_state ON complaints(handler, state, accept_due);

CREATE TABLE account_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL,
  action TEXT NOT NULL, user_id TEXT, org TEXT, login TEXT NOT NULL, ip TEXT,
  request_id TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX account_events_user ON account_events(user_id, seq);
CREATE TRIGGER account_events_no_update BEFORE UPDATE ON account_events
  BEGIN SELECT RAISE(ABORT, 'account_events is append-only'); END;
CREATE TRIGGER account_events_no_delete BEFORE DELETE ON account_events
  BEGIN SELECT RAISE(ABORT, 'account_events is append-only'); END;
