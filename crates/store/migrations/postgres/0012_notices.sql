-- wangjian schema v12 (postgres): notice and takedown (通知—删除, 电子商务法 第四十二条至第四十五条)
-- and platforms' self-inspection records (自查自纠). `open_listing` is the listing while the
-- notice is open and NULL after: its unique index keeps one open notice per listing.
CREATE TABLE notices (
  id UUID PRIMARY KEY, sender UUID NOT NULL REFERENCES organizations(id),
  recipient UUID NOT NULL REFERENCES organizations(id), source TEXT NOT NULL,
  complaint UUID REFERENCES complaints(id), case_id UUID REFERENCES cases(id),
  listing UUID NOT NULL REFERENCES listings(id), shop UUID, ground TEXT NOT NULL,
  state TEXT NOT NULL, measure TEXT, statement JSONB, declaration JSONB, reference TEXT,
  sent_by UUID NOT NULL, sent_at TIMESTAMPTZ NOT NULL, acknowledged_at TIMESTAMPTZ,
  decided_at TIMESTAMPTZ, forwarded_at TIMESTAMPTZ, objected_at TIMESTAMPTZ,
  objection_forwarded_at TIMESTAMPTZ, closed_at TIMESTAMPTZ, due_step TEXT, due DATE,
  due_provisional BOOLEAN NOT NULL, act_due DATE, decided_on_time BOOLEAN,
  response_due DATE, version BIGINT NOT NULL, open_listing UUID);
CREATE UNIQUE INDEX notices_open_listing ON notices(open_listing);
CREATE INDEX notices_recipient ON notices(recipient, id);
CREATE INDEX notices_sender ON notices(sender, id);
CREATE INDEX notices_recipient_sent ON notices(recipient, sent_at);
CREATE INDEX notices_listing ON notices(listing);

CREATE TABLE self_inspections (
  id UUID PRIMARY KEY, platform UUID NOT NULL REFERENCES organizations(id),
  shop TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, listings JSONB NOT NULL,
  listing_count BIGINT NOT NULL, rectify_by DATE, referred BOOLEAN NOT NULL,
  recorded_by UUID NOT NULL, at TIMESTAMPTZ NOT NULL, version BIGINT NOT NULL);
CREATE INDEX self_inspections_platform ON self_inspections(platform, at);
