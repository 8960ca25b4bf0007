-- wangjian schema v3 (SQLite): what the lead queue filters on and the listing page shows.
-- Each scan lead keeps its full verdict (reasons with character spans into the fields it
-- names, and the text of those fields as scanned), its level, score, reason codes (a bit
-- set in `Code::ALL` order, so one integer test filters by reason), the marks hit
-- (`|name|name|`), the listing's platform and the seller's region. Platform pushes
-- record the submitting organization on the listing and its leads. API tokens keep their
-- scopes. Existing rows keep NULLs (external leads have no verdict).

ALTER TABLE listings ADD COLUMN submitted_by TEXT REFERENCES organizations(id);

ALTER TABLE leads ADD COLUMN submitted_by TEXT;
ALTER TABLE leads ADD COLUMN platform TEXT;
ALTER TABLE leads ADD COLUMN region TEXT;
ALTER TABLE leads ADD COLUMN level TEXT;
ALTER TABLE leads ADD COLUMN score INTEGER;
ALTER TABLE leads ADD COLUMN reasons INTEGER;
ALTER TABLE leads ADD COLUMN marks TEXT;
ALTER TABLE leads ADD COLUMN verdict TEXT;
ALTER TABLE leads ADD COLUMN dismissal TEXT;

-- The queue: newest first within an agency, by status or across all.
CREATE INDEX leads_org_queue ON leads(org, status, received_at, id);
CREATE INDEX leads_org_received ON leads(org, received_at, id);
-- A platform's own submissions.
CREATE INDEX leads_submitted ON leads(submitted_by, received_at, id) WHERE submitted_by IS NOT NULL;

ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '["read"]';
CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);
