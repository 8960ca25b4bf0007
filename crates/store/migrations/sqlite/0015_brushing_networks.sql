-- wangjian schema v15 (sqlite): seller networks and brushing (刷单炒信) detection (issue 18).
-- Shop identifiers are kept with their provenance (who uploaded, which source, when the
-- value was true); `seq` orders them so that a process holding the networks in memory
-- catches up on rows written since it last read (the networks are rebuilt from these rows,
-- never stored as a batch result). Personal values (phone, e-mail, handle, identity
-- number, bank account) are kept as a SHA-256 of their normalized form plus a masked
-- display form. Brushing uploads and their groups are domain records (audited); a group's
-- shops and evidence orders are rows beside it.
CREATE TABLE identifier_uploads (
  id TEXT PRIMARY KEY, by_user TEXT NOT NULL, by_org TEXT NOT NULL REFERENCES organizations(id),
  source TEXT NOT NULL, at TEXT NOT NULL, lines INTEGER NOT NULL, n_values INTEGER NOT NULL,
  problems INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE shop_identifiers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  upload_id TEXT NOT NULL REFERENCES identifier_uploads(id),
  platform TEXT NOT NULL REFERENCES organizations(id), shop TEXT NOT NULL,
  kind TEXT NOT NULL, value TEXT NOT NULL, display TEXT NOT NULL, region TEXT,
  source TEXT NOT NULL, seen_at TEXT, recorded_at TEXT NOT NULL,
  UNIQUE (platform, shop, kind, value, source));
CREATE INDEX shop_identifiers_shop ON shop_identifiers(platform, shop);
CREATE INDEX shop_identifiers_region ON shop_identifiers(region);
CREATE TABLE brushing_uploads (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL REFERENCES organizations(id),
  by_user TEXT NOT NULL, by_org TEXT NOT NULL REFERENCES organizations(id), at TEXT NOT NULL,
  lines INTEGER NOT NULL, orders INTEGER NOT NULL, bad_lines INTEGER NOT NULL,
  n_groups INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE brushing_groups (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL REFERENCES organizations(id),
  upload TEXT NOT NULL REFERENCES brushing_uploads(id), group_key TEXT NOT NULL,
  score REAL NOT NULL, decision TEXT NOT NULL, accounts TEXT NOT NULL, shops TEXT NOT NULL,
  listings TEXT NOT NULL, orders INTEGER NOT NULL, window_first TEXT NOT NULL,
  window_last TEXT NOT NULL, reasons TEXT NOT NULL, detected_at TEXT NOT NULL,
  state TEXT NOT NULL, review TEXT, lead TEXT REFERENCES leads(id), version INTEGER NOT NULL);
CREATE INDEX brushing_groups_platform ON brushing_groups(platform, detected_at);
CREATE TABLE brushing_group_shops (
  group_id TEXT NOT NULL REFERENCES brushing_groups(id), platform TEXT NOT NULL,
  shop TEXT NOT NULL, PRIMARY KEY (group_id, shop));
CREATE INDEX brushing_group_shops_shop ON brushing_group_shops(platform, shop);
CREATE TABLE brushing_evidence (
  group_id TEXT NOT NULL REFERENCES brushing_groups(id), order_id TEXT NOT NULL,
  buyer TEXT NOT NULL, shop TEXT NOT NULL, listing TEXT NOT NULL, time TEXT NOT NULL,
  amount REAL NOT NULL, address TEXT, device TEXT, ip TEXT, review TEXT,
  PRIMARY KEY (group_id, order_id));
