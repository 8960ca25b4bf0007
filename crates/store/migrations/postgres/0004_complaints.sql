-- Complaints (投诉) and reports (举报) from the public portal (their attachments are rows
-- of the evidence store's `blobs`, named by SHA-256 in `attachments`), and the accounts'
-- security events (sign-ins, failures, permission changes: the audit table needs an
-- actor, a failed sign-in may have none).
CREATE TABLE complaints (
  id UUID PRIMARY KEY, tracking_number TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  text TEXT NOT NULL, links JSONB NOT NULL, contact TEXT NOT NULL, respondent TEXT NOT NULL,
  region TEXT NOT NULL, handler UUID NOT NULL REFERENCES organizations(id),
  submitted_at TIMESTAMPTZ NOT NULL, accept_due DATE NOT NULL, attachments JSONB NOT NULL,
  state TEXT NOT NULL, decided_by UUID, decided_at TIMESTAMPTZ, refusal_reason TEXT,
  outcome TEXT, lead UUID REFERENCES leads(id), version BIGINT NOT NULL);
CREATE INDEX complaints_handler ON complaints(handler, id);
CREATE INDEX complaints_handler_state ON complaints(handler, state, accept_due);

CREATE TABLE account_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id UUID NOT NULL UNIQUE,
  at TIMESTAMPTZ NOT NULL, action TEXT NOT NULL, user_id UUID, org UUID,
  login TEXT NOT NULL, ip TEXT, request_id TEXT NOT NULL, detail JSONB NOT NULL);
CREATE INDEX account_events_user ON account_events(user_id, seq);
CREATE FUNCTION account_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'account_events is append-only'; END $$;
CREATE TRIGGER account_events_no_change BEFORE UPDATE OR DELETE ON account_events
  FOR EACH ROW EXECUTE FUNCTION account_events_append_only();
