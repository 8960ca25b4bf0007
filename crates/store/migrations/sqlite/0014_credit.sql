-- Credit (issue 17): each subject's credit records, the class last recorded, the
-- serious-violation list (严重违法失信名单), the publication of penalty decisions (公示)
-- and the party of a case (当事人), which the penalty's credit record and disclosure name.
CREATE TABLE case_parties (
  id TEXT PRIMARY KEY REFERENCES cases(id), subject TEXT NOT NULL REFERENCES subjects(id),
  named_by TEXT NOT NULL, named_at TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX case_parties_subject ON case_parties(subject);

CREATE TABLE credit_records (
  id TEXT PRIMARY KEY, subject TEXT NOT NULL REFERENCES subjects(id), kind TEXT NOT NULL,
  source TEXT NOT NULL, org TEXT NOT NULL REFERENCES organizations(id), on_day TEXT NOT NULL,
  legal_basis TEXT NOT NULL, reference TEXT NOT NULL, summary TEXT NOT NULL,
  fine_fen INTEGER, case_id TEXT REFERENCES cases(id), recorded_at TEXT NOT NULL,
  version INTEGER NOT NULL);
CREATE INDEX credit_records_subject ON credit_records(subject, on_day);

CREATE TABLE credit_standings (
  id TEXT PRIMARY KEY REFERENCES subjects(id), class TEXT NOT NULL, reasons TEXT NOT NULL,
  assessed_on TEXT NOT NULL, version INTEGER NOT NULL);

CREATE TABLE blacklist_entries (
  id TEXT PRIMARY KEY, subject TEXT NOT NULL REFERENCES subjects(id),
  subject_name TEXT NOT NULL, uscc TEXT, domain TEXT, legal_basis TEXT NOT NULL,
  decision_number TEXT NOT NULL, deciding_org TEXT NOT NULL REFERENCES organizations(id),
  decided_by TEXT NOT NULL, start TEXT NOT NULL, months INTEGER NOT NULL, end_day TEXT NOT NULL,
  longer_basis TEXT, status TEXT NOT NULL, repair TEXT, recorded_at TEXT NOT NULL,
  version INTEGER NOT NULL);
CREATE INDEX blacklist_entries_subject ON blacklist_entries(subject);
CREATE INDEX blacklist_entries_status_end ON blacklist_entries(status, end_day);

CREATE TABLE disclosures (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL UNIQUE REFERENCES cases(id),
  subject TEXT NOT NULL REFERENCES subjects(id), org TEXT NOT NULL REFERENCES organizations(id),
  org_name TEXT NOT NULL, region TEXT NOT NULL, party_name TEXT NOT NULL,
  party_is_person INTEGER NOT NULL, uscc TEXT, decision_number TEXT NOT NULL,
  title TEXT NOT NULL, legal_basis TEXT NOT NULL, fine_fen INTEGER NOT NULL,
  decided_on TEXT NOT NULL, due TEXT NOT NULL, status TEXT NOT NULL, published_on TEXT,
  published_by TEXT, public_until TEXT, typical INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE INDEX disclosures_public ON disclosures(status, public_until, decided_on);
CREATE INDEX disclosures_due ON disclosures(status, region, due);
CREATE INDEX disclosures_subject ON disclosures(subject);
