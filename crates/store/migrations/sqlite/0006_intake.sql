-- wangjian schema v6 (sqlite): lighter listing intake (bench/store.sh).
-- leads_org_status (org, status, received_at) is a prefix of leads_org_queue (org, status,
-- received_at, id) from v3: every query it served, the longer one serves, and each lead
-- written paid for both.
DROP INDEX leads_org_status;
