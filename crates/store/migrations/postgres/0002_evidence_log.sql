-- The evidence log (crates/ledger/FORMAT.md §6): entries, the perfect subtrees of the
-- RFC 6962 Merkle tree, signed tree heads, the keyring and the content-addressed blobs.
-- Everything but a key's retirement is insert-only: triggers refuse UPDATE and DELETE.

CREATE TABLE log_entries (
  leaf_index BIGINT PRIMARY KEY, kind BIGINT NOT NULL, entry BYTEA NOT NULL,
  case_id UUID, blob_sha256 BYTEA, audit_seq BIGINT UNIQUE REFERENCES audit_events(seq),
  appended_at TIMESTAMPTZ NOT NULL);
CREATE INDEX log_entries_case ON log_entries(case_id, leaf_index) WHERE case_id IS NOT NULL;
CREATE INDEX log_entries_blob ON log_entries(blob_sha256) WHERE blob_sha256 IS NOT NULL;

CREATE TABLE log_nodes (
  level BIGINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,
  PRIMARY KEY (level, idx));

CREATE TABLE tree_heads (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tree_size BIGINT NOT NULL,
  root BYTEA NOT NULL, time TIMESTAMPTZ NOT NULL, note TEXT NOT NULL, key_id TEXT NOT NULL);
CREATE INDEX tree_heads_size ON tree_heads(tree_size);

CREATE TABLE log_keys (
  key_id TEXT PRIMARY KEY, name TEXT NOT NULL, public_text TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL, retired_at TIMESTAMPTZ);

CREATE TABLE blobs (
  sha256 BYTEA PRIMARY KEY, size BIGINT NOT NULL, media_type TEXT NOT NULL,
  bytes BYTEA NOT NULL, stored_at TIMESTAMPTZ NOT NULL);

CREATE FUNCTION evidence_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER log_entries_no_change BEFORE UPDATE OR DELETE ON log_entries
  FOR EACH ROW EXECUTE FUNCTION evidence_log_append_only();
CREATE TRIGGER log_nodes_no_change BEFORE UPDATE OR DELETE ON log_nodes
  FOR EACH ROW EXECUTE FUNCTION evidence_log_append_only();
CREATE TRIGGER tree_heads_no_change BEFORE UPDATE OR DELETE ON tree_heads
  FOR EACH ROW EXECUTE FUNCTION evidence_log_append_only();
CREATE TRIGGER blobs_no_change BEFORE UPDATE OR DELETE ON blobs
  FOR EACH ROW EXECUTE FUNCTION evidence_log_append_only();
CREATE TRIGGER log_keys_no_delete BEFORE DELETE ON log_keys
  FOR EACH ROW EXECUTE FUNCTION evidence_log_append_only();
CREATE FUNCTION log_keys_only_retire() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF OLD.retired_at IS NOT NULL OR NEW.key_id IS DISTINCT FROM OLD.key_id
       OR NEW.name IS DISTINCT FROM OLD.name OR NEW.public_text IS DISTINCT FROM OLD.public_text
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
      RAISE EXCEPTION 'a log key can only be retired, once';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER log_keys_retire BEFORE UPDATE ON log_keys
  FOR EACH ROW EXECUTE FUNCTION log_keys_only_retire();
