-- The evidence log (crates/ledger/FORMAT.md §6): entries, the perfect subtrees of the
-- RFC 6962 Merkle tree, signed tree heads, the keyring and the content-addressed blobs.
-- Everything but a key's retirement is insert-only: triggers refuse UPDATE and DELETE.

-- One row per leaf; `entry` is the canonical entry encoding (FORMAT.md §2). An audit event's
-- entry names its `audit_seq` (one entry per event, written in the same transaction).
CREATE TABLE log_entries (
  leaf_index INTEGER PRIMARY KEY, kind INTEGER NOT NULL, entry BLOB NOT NULL,
  case_id TEXT, blob_sha256 BLOB, audit_seq INTEGER UNIQUE REFERENCES audit_events(seq),
  appended_at TEXT NOT NULL);
CREATE INDEX log_entries_case ON log_entries(case_id, leaf_index) WHERE case_id IS NOT NULL;
CREATE INDEX log_entries_blob ON log_entries(blob_sha256) WHERE blob_sha256 IS NOT NULL;

-- Perfect subtree (level, idx) = root of leaves [idx * 2^level, (idx + 1) * 2^level);
-- level 0 holds the leaf hashes. Written once, when its last leaf arrives.
CREATE TABLE log_nodes (
  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)) WITHOUT ROWID;

-- Signed checkpoints (FORMAT.md §3), the note text as signed.
CREATE TABLE tree_heads (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, tree_size INTEGER NOT NULL, root BLOB NOT NULL,
  time TEXT NOT NULL, note TEXT NOT NULL, key_id TEXT NOT NULL);
CREATE INDEX tree_heads_size ON tree_heads(tree_size);

-- The keyring: every public key that ever signed (private keys stay out of the database).
CREATE TABLE log_keys (
  key_id TEXT PRIMARY KEY, name TEXT NOT NULL, public_text TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, retired_at TEXT);

-- Evidence blobs by SHA-256 of their bytes; the same bytes are stored once.
CREATE TABLE blobs (
  sha256 BLOB PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT NOT NULL,
  bytes BLOB NOT NULL, stored_at TEXT NOT NULL);

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
  BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
  BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
CREATE TRIGGER log_nodes_no_update BEFORE UPDATE ON log_nodes
  BEGIN SELECT RAISE(ABORT, 'log_nodes is append-only'); END;
CREATE TRIGGER log_nodes_no_delete BEFORE DELETE ON log_nodes
  BEGIN SELECT RAISE(ABORT, 'log_nodes is append-only'); END;
CREATE TRIGGER tree_heads_no_update BEFORE UPDATE ON tree_heads
  BEGIN SELECT RAISE(ABORT, 'tree_heads is append-only'); END;
CREATE TRIGGER tree_heads_no_delete BEFORE DELETE ON tree_heads
  BEGIN SELECT RAISE(ABORT, 'tree_heads is append-only'); END;
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
  BEGIN SELECT RAISE(ABORT, 'blobs is append-only'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
  BEGIN SELECT RAISE(ABORT, 'blobs is append-only'); END;
CREATE TRIGGER log_keys_no_delete BEFORE DELETE ON log_keys
  BEGIN SELECT RAISE(ABORT, 'log_keys is append-only'); END;
CREATE TRIGGER log_keys_only_retire BEFORE UPDATE ON log_keys
  WHEN OLD.retired_at IS NOT NULL OR NEW.key_id IS NOT OLD.key_id OR NEW.name IS NOT OLD.name
    OR NEW.public_text IS NOT OLD.public_text OR NEW.created_at IS NOT OLD.created_at
  BEGIN SELECT RAISE(ABORT, 'a log key can only be retired, once'); END;
