//! Content-addressed blob storage (listing snapshots, documents, photos), keyed by the
//! SHA-256 of the bytes, which the store computes itself. The same content is stored once.
//!
//! [`FsBlobStore`] is the on-disk default; a PostgreSQL store implements the same
//! [`BlobStore`] trait elsewhere.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::tree::Hash;

/// Why a blob could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The stored bytes no longer hash to their name.
    #[error("blob {expected} is corrupt: its bytes hash to {actual}")]
    Corrupt {
        /// The name (expected hash).
        expected: String,
        /// What the bytes hash to.
        actual: String,
    },
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// Where blobs live.
pub trait BlobStore {
    /// Stores `bytes` (once, however often it is called) and returns their SHA-256.
    fn put(&self, bytes: &[u8]) -> Result<Hash, BlobError>;
    /// The bytes of blob `hash`, checked against the hash; `None` when absent.
    fn get(&self, hash: &Hash) -> Result<Option<Vec<u8>>, BlobError>;
    /// Whether blob `hash` is stored.
    fn contains(&self, hash: &Hash) -> Result<bool, BlobError>;
}

/// Blobs as files `dir/ab/cd/<64 hex digits>`: written to a temporary file in `dir/tmp`,
/// fsynced, renamed into place and the directory fsynced, so a crash leaves either the
/// whole blob or none of it.
#[derive(Debug)]
pub struct FsBlobStore {
    dir: PathBuf,
    counter: AtomicU64,
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> BlobError + 'a {
    move |source| BlobError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

impl FsBlobStore {
    /// A store in `dir` (created when missing).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, BlobError> {
        let dir = dir.into();
        let tmp = dir.join("tmp");
        fs::create_dir_all(&tmp).map_err(io_err("creating", &tmp))?;
        Ok(Self {
            dir,
            counter: AtomicU64::new(0),
        })
    }

    /// The path blob `hash` is (or would be) stored at.
    pub fn path_of(&self, hash: &Hash) -> PathBuf {
        let h = hex::encode(hash);
        self.dir.join(&h[0..2]).join(&h[2..4]).join(h)
    }
}

fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    // Directories can be fsynced on Unix; elsewhere opening one fails and the rename is
    // as durable as the platform makes it.
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err("syncing directory", dir))?;
    }
    Ok(())
}

impl BlobStore for FsBlobStore {
    fn put(&self, bytes: &[u8]) -> Result<Hash, BlobError> {
        let hash = sha256(bytes);
        let path = self.path_of(&hash);
        if path.exists() {
            return Ok(hash);
        }
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&parent).map_err(io_err("creating", &parent))?;
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join("tmp").join(format!(
            "{}.{}.{}.tmp",
            hex::encode(hash),
            std::process::id(),
            n
        ));
        let mut f = File::create(&tmp).map_err(io_err("creating", &tmp))?;
        f.write_all(bytes).map_err(io_err("writing", &tmp))?;
        f.sync_all().map_err(io_err("syncing", &tmp))?;
        drop(f);
        fs::rename(&tmp, &path).map_err(io_err("renaming into place", &path))?;
        sync_dir(&parent)?;
        Ok(hash)
    }

    fn get(&self, hash: &Hash) -> Result<Option<Vec<u8>>, BlobError> {
        let path = self.path_of(hash);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("reading", &path)(e)),
        };
        let actual = sha256(&bytes);
        if &actual != hash {
            return Err(BlobError::Corrupt {
                expected: hex::encode(hash),
                actual: hex::encode(actual),
            });
        }
        Ok(Some(bytes))
    }

    fn contains(&self, hash: &Hash) -> Result<bool, BlobError> {
        Ok(self.path_of(hash).exists())
    }
}

/// Blobs in memory (tests, building packages from bytes at hand).
#[derive(Debug, Default)]
pub struct MemoryBlobStore {
    blobs: std::sync::RwLock<std::collections::BTreeMap<Hash, Vec<u8>>>,
}

impl BlobStore for MemoryBlobStore {
    fn put(&self, bytes: &[u8]) -> Result<Hash, BlobError> {
        let hash = sha256(bytes);
        let mut map = self.blobs.write().unwrap_or_else(|p| p.into_inner());
        map.entry(hash).or_insert_with(|| bytes.to_vec());
        Ok(hash)
    }

    fn get(&self, hash: &Hash) -> Result<Option<Vec<u8>>, BlobError> {
        let map = self.blobs.read().unwrap_or_else(|p| p.into_inner());
        Ok(map.get(hash).cloned())
    }

    fn contains(&self, hash: &Hash) -> Result<bool, BlobError> {
        let map = self.blobs.read().unwrap_or_else(|p| p.into_inner());
        Ok(map.contains_key(hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_and_detects_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let h = store.put(b"<html>listing</html>").unwrap();
        assert_eq!(store.put(b"<html>listing</html>").unwrap(), h);
        let path = store.path_of(&h);
        let hex = hex::encode(h);
        assert!(path.ends_with(format!("{}/{}/{hex}", &hex[..2], &hex[2..4])));
        assert_eq!(store.get(&h).unwrap().unwrap(), b"<html>listing</html>");
        assert!(store.contains(&h).unwrap());
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        fs::write(&path, b"<html>changed</html>").unwrap();
        assert!(matches!(store.get(&h), Err(BlobError::Corrupt { .. })));
        assert_eq!(store.get(&[0; 32]).unwrap(), None);
    }
}
