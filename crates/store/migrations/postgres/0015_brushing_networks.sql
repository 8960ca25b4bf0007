-- wangjian schema v15 (postgres): seller networks and brushing (刷单炒信) detection (issue
-- 18). See the SQLite file for what each table is for.
CREATE TABLE identifier_uploads (
  id UUID PRIMARY KEY, by_user UUID NOT NULL, by_org UUID NOT NULL REFERENCES organizations(id),
  source TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, lines BIGINT NOT NULL, n_values BIGINT NOT NULL,
  problems BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE TABLE shop_identifiers (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id UUID NOT NULL REFERENCES identifier_uploads(id),
  platform UUID NOT NULL REFERENCES organizations(id), shop TEXT NOT NULL,
  kind TEXT NOT NULL, value TEXT NOT NULL, display TEXT NOT NULL, region TEXT,
  source TEXT NOT NULL, seen_at TIMESTAMPTZ, recorded_at TIMESTAMPTZ NOT NULL,
  UNIQUE (platform, shop, kind, value, source));
CREATE INDEX shop_identifiers_shop ON shop_identifiers(platform, shop);
CREATE INDEX shop_identifiers_region ON shop_identifiers(region);
CREATE TABLE brushing_uploads (
  id UUID PRIMARY KEY, platform UUID NOT NULL REFERENCES organizations(id),
  by_user UUID NOT NULL, by_org UUID NOT NULL REFERENCES organizations(id), at TIMESTAMPTZ NOT NULL,
  lines BIGINT NOT NULL, orders BIGINT NOT NULL, bad_lines BIGINT NOT NULL,
  n_groups BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE TABLE brushing_groups (
  id UUID PRIMARY KEY, platform UUID NOT NULL REFERENCES organizations(id),
  upload UUID NOT NULL REFERENCES brushing_uploads(id), group_key TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL, decision TEXT NOT NULL, accounts JSONB NOT NULL,
  shops JSONB NOT NULL, listings JSONB NOT NULL, orders BIGINT NOT NULL,
  window_first TEXT NOT NULL, window_last TEXT NOT NULL, reasons JSONB NOT NULL,
  detected_at TIMESTAMPTZ NOT NULL, state TEXT NOT NULL, review JSONB,
  lead UUID REFERENCES leads(id), version BIGINT NOT NULL);
CREATE INDEX brushing_groups_platform ON brushing_groups(platform, detected_at);
CREATE TABLE brushing_group_shops (
  group_id UUID NOT NULL REFERENCES brushing_groups(id), platform UUID NOT NULL,
  shop TEXT NOT NULL, PRIMARY KEY (group_id, shop));
CREATE INDEX brushing_group_shops_shop ON brushing_group_shops(platform, shop);
CREATE TABLE brushing_evidence (
  group_id UUID NOT NULL REFERENCES brushing_groups(id), order_id TEXT NOT NULL,
  buyer TEXT NOT NULL, shop TEXT NOT NULL, listing TEXT NOT NULL, time TEXT NOT NULL,
  amount DOUBLE PRECISION NOT NULL, address TEXT, device TEXT, ip TEXT, review TEXT,
  PRIMARY KEY (group_id, order_id));
