-- Credit (issue 17): each subject's credit records, the class last recorded, the
-- serious-violation list (严重违法失信名单), the publication of penalty decisions (公示)
-- and the party of a case (当事人), which the penalty's credit record and disclosure name.
CREATE TABLE case_parties (
  id UUID PRIMARY KEY REFERENCES cases(id), subject UUID NOT NULL REFERENCES subjects(id),
  named_by UUID NOT NULL, named_at TIMESTAMPTZ NOT NULL, version BIGINT NOT NULL);
CREATE INDEX case_parties_subject ON case_parties(subject);

CREATE TABLE credit_records (
  id UUID PRIMARY KEY, subject UUID NOT NULL REFERENCES subjects(id), kind TEXT NOT NULL,
  source TEXT NOT NULL, org UUID NOT NULL REFERENCES organizations(id), on_day DATE NOT NULL,
  legal_basis TEXT NOT NULL, reference TEXT NOT NULL, summary TEXT NOT NULL,
  fine_fen BIGINT, case_id UUID REFERENCES cases(id), recorded_at TIMESTAMPTZ NOT NULL,
  version BIGINT NOT NULL);
CREATE INDEX credit_records_subject ON credit_records(subject, on_day);

CREATE TABLE credit_standings (
  id UUID PRIMARY KEY REFERENCES subjects(id), class TEXT NOT NULL, reasons JSONB NOT NULL,
  assessed_on DATE NOT NULL, version BIGINT NOT NULL);

CREATE TABLE blacklist_entries (
  id UUID PRIMARY KEY, subject UUID NOT NULL REFERENCES subjects(id),
  subject_name TEXT NOT NULL, uscc TEXT, domain TEXT, legal_basis TEXT NOT NULL,
  decision_number TEXT NOT NULL, deciding_org UUID NOT NULL REFERENCES organizations(id),
  decided_by UUID NOT NULL, start DATE NOT NULL, months BIGINT NOT NULL, end_day DATE NOT NULL,
  longer_basis TEXT, status TEXT NOT NULL, repair JSONB, recorded_at TIMESTAMPTZ NOT NULL,
  version BIGINT NOT NULL);
CREATE INDEX blacklist_entries_subject ON blacklist_entries(subject);
CREATE INDEX blacklist_entries_status_end ON blacklist_entries(status, end_day);

CREATE TABLE disclosures (
  id UUID PRIMARY KEY, case_id UUID NOT NULL UNIQUE REFERENCES cases(id),
  subject UUID NOT NULL REFERENCES subjects(id), org UUID NOT NULL REFERENCES organizations(id),
  org_name TEXT NOT NULL, region TEXT NOT NULL, party_name TEXT NOT NULL,
  party_is_person BOOLEAN NOT NULL, uscc TEXT, decision_number TEXT NOT NULL,
  title TEXT NOT NULL, legal_basis TEXT NOT NULL, fine_fen BIGINT NOT NULL,
  decided_on DATE NOT NULL, due DATE NOT NULL, status TEXT NOT NULL, published_on DATE,
  published_by UUID, public_until DATE, typical BOOLEAN NOT NULL, version BIGINT NOT NULL);
CREATE INDEX disclosures_public ON disclosures(status, public_until, decided_on);
CREATE INDEX disclosures_due ON disclosures(status, region, due);
CREATE INDEX disclosures_subject ON disclosures(subject);
