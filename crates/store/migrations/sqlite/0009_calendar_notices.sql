-- wangjian schema v9 (sqlite): the working-day calendar beyond its embedded data.
-- A deadline counted over a year without a loaded State Council holiday notice is
-- provisional (the calendar answers from the statutory rules there); the holiday notices
-- an administrator loaded (`wangjian calendar load`, the console) are kept whole, in load
-- order: the calendar in use is the embedded data plus these.
ALTER TABLE deadlines ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deadlines_open_provisional ON deadlines(status, provisional);
CREATE TABLE calendar_notices (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, years TEXT NOT NULL, text TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE, loaded_at TEXT NOT NULL,
  loaded_by TEXT NOT NULL REFERENCES users(id), request_id TEXT NOT NULL);
