-- wangjian schema v1 (PostgreSQL). Ids uuid, times timestamptz, dates date, JSON jsonb.
-- Every mutable row has `version` (optimistic concurrency: UPDATE ... WHERE version = ?).

CREATE TABLE organizations (
  id UUID PRIMARY KEY, name TEXT NOT NULL, case_prefix TEXT NOT NULL,
  kind TEXT NOT NULL, agency_type TEXT, level TEXT, region TEXT NOT NULL,
  version BIGINT NOT NULL);
CREATE INDEX organizations_region ON organizations(region);
CREATE INDEX organizations_case_prefix ON organizations(case_prefix);

CREATE TABLE users (
  id UUID PRIMARY KEY, name TEXT NOT NULL, login TEXT UNIQUE, password_hash TEXT,
  version BIGINT NOT NULL);

CREATE TABLE memberships (
  user_id UUID NOT NULL REFERENCES users(id), org_id UUID NOT NULL REFERENCES organizations(id),
  role TEXT NOT NULL, PRIMARY KEY (user_id, org_id, role));
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE api_tokens (
  id UUID PRIMARY KEY, user_id UUID NOT NULL REFERENCES users(id),
  org_id UUID NOT NULL REFERENCES organizations(id), token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ, revoked_at TIMESTAMPTZ);

CREATE TABLE subjects (
  id UUID PRIMARY KEY, name TEXT NOT NULL, identity_kind TEXT NOT NULL, uscc TEXT UNIQUE,
  citizen_id_hash TEXT UNIQUE, citizen_id_masked TEXT, operator_id_hash TEXT,
  operator_id_masked TEXT, domain TEXT UNIQUE, icp_number TEXT, version BIGINT NOT NULL);

CREATE TABLE shops (
  id UUID PRIMARY KEY, platform UUID NOT NULL REFERENCES organizations(id),
  platform_shop_id TEXT NOT NULL, name TEXT NOT NULL, subject UUID REFERENCES subjects(id),
  version BIGINT NOT NULL, UNIQUE (platform, platform_shop_id));

CREATE TABLE listings (
  id UUID PRIMARY KEY, platform UUID NOT NULL REFERENCES organizations(id),
  platform_listing_id TEXT NOT NULL, shop UUID REFERENCES shops(id),
  first_seen_at TIMESTAMPTZ NOT NULL, version BIGINT NOT NULL,
  UNIQUE (platform, platform_listing_id));

CREATE TABLE listing_snapshots (
  id UUID PRIMARY KEY, listing UUID NOT NULL REFERENCES listings(id),
  platform UUID NOT NULL, shop UUID, platform_listing_id TEXT NOT NULL, url TEXT NOT NULL,
  title TEXT NOT NULL, description TEXT NOT NULL, price_fen BIGINT, ship_from TEXT NOT NULL,
  captured_at TIMESTAMPTZ NOT NULL, content_hash TEXT NOT NULL, UNIQUE (listing, content_hash));

CREATE TABLE marks (
  id UUID PRIMARY KEY, mark TEXT NOT NULL, aliases JSONB NOT NULL, owner TEXT NOT NULL,
  categories JSONB NOT NULL, reference_price_cny DOUBLE PRECISION, authorized_shops JSONB NOT NULL,
  well_known BOOLEAN NOT NULL, version BIGINT NOT NULL, UNIQUE (owner, mark));

CREATE TABLE leads (
  id UUID PRIMARY KEY, org UUID NOT NULL REFERENCES organizations(id), source TEXT NOT NULL,
  dedup_key TEXT NOT NULL, dedup JSONB NOT NULL, summary TEXT NOT NULL,
  snapshot UUID REFERENCES listing_snapshots(id), shop UUID, subject UUID,
  received_at TIMESTAMPTZ NOT NULL, status TEXT NOT NULL, version BIGINT NOT NULL,
  UNIQUE (org, dedup_key));
CREATE INDEX leads_org_status ON leads(org, status, received_at);

CREATE TABLE case_counters (
  org UUID NOT NULL REFERENCES organizations(id), year BIGINT NOT NULL,
  next BIGINT NOT NULL, PRIMARY KEY (org, year));

CREATE TABLE cases (
  id UUID PRIMARY KEY, number_org UUID NOT NULL REFERENCES organizations(id),
  number_prefix TEXT NOT NULL, number_year BIGINT NOT NULL, number_seq BIGINT NOT NULL,
  title TEXT NOT NULL, originating_org UUID NOT NULL REFERENCES organizations(id),
  responsible_org UUID NOT NULL REFERENCES organizations(id), region TEXT NOT NULL,
  state TEXT NOT NULL, is_open BOOLEAN NOT NULL, assignee UUID, resume_to TEXT,
  verifier UUID, case_officer UUID, co_officers JSONB NOT NULL, opening JSONB,
  proposed_penalty TEXT, penalty JSONB, served_on DATE, disclosure TEXT, testing TEXT,
  last_reason TEXT, pending_transfer_id UUID, pending_receiver UUID, pending_kind TEXT,
  registered_at TIMESTAMPTZ NOT NULL, version BIGINT NOT NULL,
  UNIQUE (number_org, number_year, number_seq));
CREATE INDEX cases_responsible ON cases(responsible_org, state, id);
CREATE INDEX cases_region ON cases(region, state, id);
CREATE INDEX cases_assignee ON cases(assignee, is_open, id);
CREATE INDEX cases_pending_receiver ON cases(pending_receiver) WHERE pending_receiver IS NOT NULL;

CREATE TABLE case_leads (
  case_id UUID NOT NULL REFERENCES cases(id), lead_id UUID NOT NULL REFERENCES leads(id),
  linked_by UUID NOT NULL, linked_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (case_id, lead_id));
CREATE INDEX case_leads_lead ON case_leads(lead_id);

CREATE TABLE deadlines (
  id UUID PRIMARY KEY, root_case UUID REFERENCES cases(id), object_type TEXT NOT NULL,
  object_id UUID NOT NULL, org UUID NOT NULL REFERENCES organizations(id),
  region TEXT NOT NULL, kind TEXT NOT NULL, rule JSONB NOT NULL, start DATE NOT NULL,
  due DATE NOT NULL, warn_at DATE NOT NULL, suspensions JSONB NOT NULL,
  extensions JSONB NOT NULL, status TEXT NOT NULL, status_on DATE,
  paused BOOLEAN NOT NULL, version BIGINT NOT NULL);
CREATE INDEX deadlines_status_due ON deadlines(status, due, id);
CREATE INDEX deadlines_status_region_due ON deadlines(status, region, due, id);
CREATE INDEX deadlines_root_case ON deadlines(root_case);
CREATE INDEX deadlines_object ON deadlines(object_id);

CREATE TABLE transfer_orders (
  id UUID PRIMARY KEY, kind TEXT NOT NULL, case_id UUID NOT NULL REFERENCES cases(id),
  from_org UUID NOT NULL, to_org UUID NOT NULL, legal_basis TEXT NOT NULL,
  reason TEXT NOT NULL, materials JSONB NOT NULL, case_file_list JSONB NOT NULL,
  evidence_list JSONB NOT NULL, seized_goods_list JSONB NOT NULL, sent_by UUID NOT NULL,
  sent_at TIMESTAMPTZ NOT NULL, ack_deadline UUID NOT NULL, acknowledged_by UUID,
  acknowledged_at TIMESTAMPTZ, refusal_reason TEXT, feedback_deadline UUID, feedback JSONB,
  status TEXT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX transfer_orders_case ON transfer_orders(case_id);
CREATE INDEX transfer_orders_to ON transfer_orders(to_org, status);

CREATE TABLE assist_requests (
  id UUID PRIMARY KEY, case_id UUID REFERENCES cases(id), from_org UUID NOT NULL,
  to_org UUID NOT NULL, target JSONB NOT NULL, question TEXT NOT NULL,
  legal_basis TEXT NOT NULL, sent_by UUID NOT NULL, sent_at TIMESTAMPTZ NOT NULL,
  reply_deadline UUID NOT NULL, answer TEXT, answer_reference TEXT, answered_by UUID,
  answered_at TIMESTAMPTZ, status TEXT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX assist_requests_to ON assist_requests(to_org, status);
CREATE INDEX assist_requests_case ON assist_requests(case_id);

CREATE TABLE supervisions (
  id UUID PRIMARY KEY, case_id UUID NOT NULL REFERENCES cases(id), office UUID NOT NULL,
  level TEXT NOT NULL, due DATE NOT NULL, note TEXT NOT NULL, marked_by UUID NOT NULL,
  marked_at TIMESTAMPTZ NOT NULL, lifted_at TIMESTAMPTZ, version BIGINT NOT NULL);
CREATE INDEX supervisions_office ON supervisions(office, lifted_at, due);
CREATE INDEX supervisions_case ON supervisions(case_id);

CREATE TABLE seized_items (
  id UUID PRIMARY KEY, case_id UUID NOT NULL REFERENCES cases(id), org UUID NOT NULL,
  description TEXT NOT NULL, quantity BIGINT NOT NULL, unit TEXT NOT NULL,
  custody TEXT NOT NULL, handovers JSONB NOT NULL, destruction JSONB,
  version BIGINT NOT NULL);
CREATE INDEX seized_items_case ON seized_items(case_id);

-- Append-only. `seq` orders the trail and is what the evidence log indexes.
CREATE TABLE audit_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id UUID NOT NULL UNIQUE, request_id UUID NOT NULL,
  actor UUID NOT NULL, actor_org UUID NOT NULL, at TIMESTAMPTZ NOT NULL, action TEXT NOT NULL,
  object_type TEXT NOT NULL, object_id UUID NOT NULL, root_case UUID, changed JSONB NOT NULL,
  before_digest TEXT, after_digest TEXT NOT NULL);
CREATE INDEX audit_events_root_case ON audit_events(root_case, at);
CREATE INDEX audit_events_request ON audit_events(request_id);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
