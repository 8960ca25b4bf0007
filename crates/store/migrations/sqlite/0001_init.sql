-- wangjian schema v1 (SQLite). Ids are UUID text, times UTC text in one fixed format
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ, so text order is time order), dates YYYY-MM-DD, JSON text.
-- Every mutable row has `version` (optimistic concurrency: UPDATE ... WHERE version = ?).

CREATE TABLE organizations (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, case_prefix TEXT NOT NULL,
  kind TEXT NOT NULL, agency_type TEXT, level TEXT, region TEXT NOT NULL,
  version INTEGER NOT NULL);
CREATE INDEX organizations_region ON organizations(region);
CREATE INDEX organizations_case_prefix ON organizations(case_prefix);

CREATE TABLE users (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, login TEXT UNIQUE, password_hash TEXT,
  version INTEGER NOT NULL);

CREATE TABLE memberships (
  user_id TEXT NOT NULL REFERENCES users(id), org_id TEXT NOT NULL REFERENCES organizations(id),
  role TEXT NOT NULL, PRIMARY KEY (user_id, org_id, role));
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),
  org_id TEXT NOT NULL REFERENCES organizations(id), token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT);

CREATE TABLE subjects (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, identity_kind TEXT NOT NULL, uscc TEXT UNIQUE,
  citizen_id_hash TEXT UNIQUE, citizen_id_masked TEXT, operator_id_hash TEXT,
  operator_id_masked TEXT, domain TEXT UNIQUE, icp_number TEXT, version INTEGER NOT NULL);

CREATE TABLE shops (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL REFERENCES organizations(id),
  platform_shop_id TEXT NOT NULL, name TEXT NOT NULL, subject TEXT REFERENCES subjects(id),
  version INTEGER NOT NULL, UNIQUE (platform, platform_shop_id));

CREATE TABLE listings (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL REFERENCES organizations(id),
  platform_listing_id TEXT NOT NULL, shop TEXT REFERENCES shops(id),
  first_seen_at TEXT NOT NULL, version INTEGER NOT NULL,
  UNIQUE (platform, platform_listing_id));

CREATE TABLE listing_snapshots (
  id TEXT PRIMARY KEY, listing TEXT NOT NULL REFERENCES listings(id),
  platform TEXT NOT NULL, shop TEXT, platform_listing_id TEXT NOT NULL, url TEXT NOT NULL,
  title TEXT NOT NULL, description TEXT NOT NULL, price_fen INTEGER, ship_from TEXT NOT NULL,
  captured_at TEXT NOT NULL, content_hash TEXT NOT NULL, UNIQUE (listing, content_hash));

CREATE TABLE marks (
  id TEXT PRIMARY KEY, mark TEXT NOT NULL, aliases TEXT NOT NULL, owner TEXT NOT NULL,
  categories TEXT NOT NULL, reference_price_cny REAL, authorized_shops TEXT NOT NULL,
  well_known INTEGER NOT NULL, version INTEGER NOT NULL, UNIQUE (owner, mark));

CREATE TABLE leads (
  id TEXT PRIMARY KEY, org TEXT NOT NULL REFERENCES organizations(id), source TEXT NOT NULL,
  dedup_key TEXT NOT NULL, dedup TEXT NOT NULL, summary TEXT NOT NULL,
  snapshot TEXT REFERENCES listing_snapshots(id), shop TEXT, subject TEXT,
  received_at TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL,
  UNIQUE (org, dedup_key));
CREATE INDEX leads_org_status ON leads(org, status, received_at);

CREATE TABLE case_counters (
  org TEXT NOT NULL REFERENCES organizations(id), year INTEGER NOT NULL,
  next INTEGER NOT NULL, PRIMARY KEY (org, year));

CREATE TABLE cases (
  id TEXT PRIMARY KEY, number_org TEXT NOT NULL REFERENCES organizations(id),
  number_prefix TEXT NOT NULL, number_year INTEGER NOT NULL, number_seq INTEGER NOT NULL,
  title TEXT NOT NULL, originating_org TEXT NOT NULL REFERENCES organizations(id),
  responsible_org TEXT NOT NULL REFERENCES organizations(id), region TEXT NOT NULL,
  state TEXT NOT NULL, is_open INTEGER NOT NULL, assignee TEXT, resume_to TEXT,
  verifier TEXT, case_officer TEXT, co_officers TEXT NOT NULL, opening TEXT,
  proposed_penalty TEXT, penalty TEXT, served_on TEXT, disclosure TEXT, testing TEXT,
  last_reason TEXT, pending_transfer_id TEXT, pending_receiver TEXT, pending_kind TEXT,
  registered_at TEXT NOT NULL, version INTEGER NOT NULL,
  UNIQUE (number_org, number_year, number_seq));
CREATE INDEX cases_responsible ON cases(responsible_org, state, id);
CREATE INDEX cases_region ON cases(region, state, id);
CREATE INDEX cases_assignee ON cases(assignee, is_open, id);
CREATE INDEX cases_pending_receiver ON cases(pending_receiver) WHERE pending_receiver IS NOT NULL;

CREATE TABLE case_leads (
  case_id TEXT NOT NULL REFERENCES cases(id), lead_id TEXT NOT NULL REFERENCES leads(id),
  linked_by TEXT NOT NULL, linked_at TEXT NOT NULL, PRIMARY KEY (case_id, lead_id));
CREATE INDEX case_leads_lead ON case_leads(lead_id);

CREATE TABLE deadlines (
  id TEXT PRIMARY KEY, root_case TEXT REFERENCES cases(id), object_type TEXT NOT NULL,
  object_id TEXT NOT NULL, org TEXT NOT NULL REFERENCES organizations(id),
  region TEXT NOT NULL, kind TEXT NOT NULL, rule TEXT NOT NULL, start TEXT NOT NULL,
  due TEXT NOT NULL, warn_at TEXT NOT NULL, suspensions TEXT NOT NULL,
  extensions TEXT NOT NULL, status TEXT NOT NULL, status_on TEXT,
  paused INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE INDEX deadlines_status_due ON deadlines(status, due, id);
CREATE INDEX deadlines_status_region_due ON deadlines(status, region, due, id);
CREATE INDEX deadlines_root_case ON deadlines(root_case);
CREATE INDEX deadlines_object ON deadlines(object_id);

CREATE TABLE transfer_orders (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES cases(id),
  from_org TEXT NOT NULL, to_org TEXT NOT NULL, legal_basis TEXT NOT NULL,
  reason TEXT NOT NULL, materials TEXT NOT NULL, case_file_list TEXT NOT NULL,
  evidence_list TEXT NOT NULL, seized_goods_list TEXT NOT NULL, sent_by TEXT NOT NULL,
  sent_at TEXT NOT NULL, ack_deadline TEXT NOT NULL, acknowledged_by TEXT,
  acknowledged_at TEXT, refusal_reason TEXT, feedback_deadline TEXT, feedback TEXT,
  status TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX transfer_orders_case ON transfer_orders(case_id);
CREATE INDEX transfer_orders_to ON transfer_orders(to_org, status);

CREATE TABLE assist_requests (
  id TEXT PRIMARY KEY, case_id TEXT REFERENCES cases(id), from_org TEXT NOT NULL,
  to_org TEXT NOT NULL, target TEXT NOT NULL, question TEXT NOT NULL,
  legal_basis TEXT NOT NULL, sent_by TEXT NOT NULL, sent_at TEXT NOT NULL,
  reply_deadline TEXT NOT NULL, answer TEXT, answer_reference TEXT, answered_by TEXT,
  answered_at TEXT, status TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX assist_requests_to ON assist_requests(to_org, status);
CREATE INDEX assist_requests_case ON assist_requests(case_id);

CREATE TABLE supervisions (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), office TEXT NOT NULL,
  level TEXT NOT NULL, due TEXT NOT NULL, note TEXT NOT NULL, marked_by TEXT NOT NULL,
  marked_at TEXT NOT NULL, lifted_at TEXT, version INTEGER NOT NULL);
CREATE INDEX supervisions_office ON supervisions(office, lifted_at, due);
CREATE INDEX supervisions_case ON supervisions(case_id);

CREATE TABLE seized_items (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), org TEXT NOT NULL,
  description TEXT NOT NULL, quantity INTEGER NOT NULL, unit TEXT NOT NULL,
  custody TEXT NOT NULL, handovers TEXT NOT NULL, destruction TEXT,
  version INTEGER NOT NULL);
CREATE INDEX seized_items_case ON seized_items(case_id);

-- Append-only. `seq` orders the trail and is what the evidence log indexes.
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, request_id TEXT NOT NULL,
  actor TEXT NOT NULL, actor_org TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL,
  object_type TEXT NOT NULL, object_id TEXT NOT NULL, root_case TEXT, changed TEXT NOT NULL,
  before_digest TEXT, after_digest TEXT NOT NULL);
CREATE INDEX audit_events_root_case ON audit_events(root_case, at);
CREATE INDEX audit_events_request ON audit_events(request_id);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
