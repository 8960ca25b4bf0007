-- wangjian schema v12 (sqlite): notice and takedown (通知—删除, 电子商务法 第四十二条至第四十五条)
-- and platforms' self-inspection records (自查自纠). `open_listing` is the listing while the
-- notice is open and NULL after: its unique index keeps one open notice per listing.
CREATE TABLE notices (
  id TEXT PRIMARY KEY, sender TEXT NOT NULL REFERENCES organizations(id),
  recipient TEXT NOT NULL REFERENCES organizations(id), source TEXT NOT NULL,
  complaint TEXT REFERENCES complaints(id), case_id TEXT REFERENCES cases(id),
  listing TEXT NOT NULL REFERENCES listings(id), shop TEXT, ground TEXT NOT NULL,
  state TEXT NOT NULL, measure TEXT, statement TEXT, declaration TEXT, reference TEXT,
  sent_by TEXT NOT NULL, sent_at TEXT NOT NULL, acknowledged_at TEXT, decided_at TEXT,
  forwarded_at TEXT, objected_at TEXT, objection_forwarded_at TEXT, closed_at TEXT,
  due_step TEXT, due TEXT, due_provisional INTEGER NOT NULL, act_due TEXT,
  decided_on_time INTEGER, response_due TEXT, version INTEGER NOT NULL,
  open_listing TEXT);
CREATE UNIQUE INDEX notices_open_listing ON notices(open_listing);
CREATE INDEX notices_recipient ON notices(recipient, id);
CREATE INDEX notices_sender ON notices(sender, id);
CREATE INDEX notices_recipient_sent ON notices(recipient, sent_at);
CREATE INDEX notices_listing ON notices(listing);

CREATE TABLE self_inspections (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL REFERENCES organizations(id),
  shop TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, listings TEXT NOT NULL,
  listing_count INTEGER NOT NULL, rectify_by TEXT, referred INTEGER NOT NULL,
  recorded_by TEXT NOT NULL, at TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX self_inspections_platform ON self_inspections(platform, at);
