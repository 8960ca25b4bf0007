-- wangjian schema v9 (PostgreSQL): the working-day calendar beyond its embedded data.
-- A deadline counted over a year without a loaded State Council holiday notice is
-- provisional (the calendar answers from the statutory rules there); the holiday notices
-- an administrator loaded (`wangjian calendar load`, the console) are kept whole, in load
-- order: the calendar in use is the embedded data plus these.
ALTER TABLE deadlines ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX deadlines_open_provisional ON deadlines(status, provisional);
CREATE TABLE calendar_notices (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, years TEXT NOT NULL, text TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE, loaded_at TIMESTAMPTZ NOT NULL,
  loaded_by UUID NOT NULL REFERENCES users(id), request_id UUID NOT NULL);
