-- wangjian schema v8 (postgres): who delivered which listing snapshot (issue 15, finding 5).
-- A platform reads the scan leads of the listings it pushed through its receipts, so what
-- it is told never depends on whether a patrol or another source stored the same content
-- first. Existing pushes (listings.submitted_by) become receipts of their snapshots.
CREATE TABLE listing_receipts (
  id UUID PRIMARY KEY, org UUID NOT NULL REFERENCES organizations(id),
  snapshot UUID NOT NULL REFERENCES listing_snapshots(id), received_at TIMESTAMPTZ NOT NULL);
CREATE UNIQUE INDEX listing_receipts_org_snapshot ON listing_receipts(org, snapshot);
CREATE INDEX listing_receipts_snapshot ON listing_receipts(snapshot);
-- Backfill: each pushed listing's snapshots were delivered by its submitter (ids of
-- backfilled receipts are the snapshot's; new ones are derived from (org, snapshot), and
-- the unique index keeps one receipt per pair either way).
INSERT INTO listing_receipts (id, org, snapshot, received_at)
  SELECT s.id, l.submitted_by, s.id, s.captured_at
  FROM listing_snapshots s JOIN listings l ON l.id = s.listing
  WHERE l.submitted_by IS NOT NULL;
