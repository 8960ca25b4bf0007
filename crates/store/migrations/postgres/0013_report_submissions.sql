-- wangjian schema v13 (postgres): statistics reports (issue 16). A member unit's submitted
-- report keeps the figures as they were at submission (`report_table`, JSON) with their
-- SHA-256 (`digest`); one per kind, period and unit. `region` is the unit's, for the
-- coordination office's view of its region.
CREATE TABLE report_submissions (
  id UUID PRIMARY KEY, kind TEXT NOT NULL, period TEXT NOT NULL,
  unit UUID NOT NULL REFERENCES organizations(id), region TEXT NOT NULL, due DATE NOT NULL,
  late BOOLEAN NOT NULL, submitted_by UUID NOT NULL, submitted_at TIMESTAMPTZ NOT NULL,
  report_table JSONB NOT NULL, digest TEXT NOT NULL, version BIGINT NOT NULL,
  UNIQUE (kind, period, unit));
CREATE INDEX report_submissions_region ON report_submissions(region, kind, period);
-- The reports count case steps by when they happened: the audit trail in a window of
-- time, by action (opened, closed, penalty decided, referred) or any action (the weekly
-- progress table). Without it every report read the whole trail.
CREATE INDEX audit_events_action_at ON audit_events(action, at);
CREATE INDEX audit_events_at_case ON audit_events(at, root_case);
-- Complaints received and decided in a period, per handling agency.
CREATE INDEX complaints_submitted ON complaints(submitted_at, handler);
CREATE INDEX complaints_decided ON complaints(decided_at, handler);
-- Penalty decisions published (公示) on time or late in a period.
CREATE INDEX deadlines_kind_status_on ON deadlines(kind, status_on);
