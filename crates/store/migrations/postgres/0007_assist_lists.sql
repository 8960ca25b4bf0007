-- wangjian schema v7 (postgres): the assist-request lists of an agency (GET
-- /api/v1/assist-requests?direction=incoming|outgoing), newest first on the time-ordered
-- id: one index per side, so a page walks the agency's own requests instead of the table
-- (v1 indexed only (to_org, status)).
CREATE INDEX assist_requests_to_id ON assist_requests(to_org, id);
CREATE INDEX assist_requests_from_id ON assist_requests(from_org, id);
