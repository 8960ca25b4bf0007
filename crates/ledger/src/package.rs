//! Evidence packages: one tar archive holding a case's entries, their inclusion proofs,
//! the signed checkpoint they lead to, the public keys and the evidence blobs, with a
//! manifest (FORMAT.md §5). [`verify_package`] checks all of it offline and names every
//! problem it finds — it never stops at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::blob::sha256;
use crate::checkpoint::{CheckpointError, Keyring, SignedCheckpoint, VerifierKey};
use crate::entry::{DecodeError, Entry, EntryKind};
use crate::plan::InclusionProof;
use crate::tree::{leaf_hash, Hash, ProofError};

/// The `format` value of a manifest.
pub const PACKAGE_FORMAT: &str = "wangjian-evidence-package";
/// The manifest version this crate writes and reads.
pub const PACKAGE_VERSION: u32 = 1;

/// The case a package is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    /// Case id.
    pub id: Uuid,
    /// Human case number (unique per agency and year).
    pub number: String,
}

/// The signed tree head, as the manifest repeats it for readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRef {
    /// Log origin.
    pub origin: String,
    /// Tree size.
    pub tree_size: u64,
    /// Root hash.
    #[serde(with = "crate::hex_serde::one")]
    pub root: Hash,
}

/// One entry of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Leaf index in the log.
    pub leaf_index: u64,
    /// Entry kind.
    pub kind: EntryKind,
    /// Leaf hash, to look the entry up in the log.
    #[serde(with = "crate::hex_serde::one")]
    pub leaf_hash: Hash,
    /// Path of the encoded entry in the archive.
    pub file: String,
    /// Path of its inclusion proof (JSON) in the archive.
    pub proof: String,
}

/// One blob of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestBlob {
    /// SHA-256 of the bytes.
    #[serde(with = "crate::hex_serde::one")]
    pub sha256: Hash,
    /// Path in the archive.
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// Original file name or URL.
    pub name: String,
    /// Media type.
    pub media_type: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`PACKAGE_FORMAT`].
    pub format: String,
    /// Always [`PACKAGE_VERSION`].
    pub version: u32,
    /// The case.
    pub case: CaseRef,
    /// The signed tree head.
    pub log: LogRef,
    /// Entries, by leaf index.
    pub entries: Vec<ManifestEntry>,
    /// Blobs, by hash.
    pub blobs: Vec<ManifestBlob>,
}

/// An entry to put in a package.
#[derive(Debug, Clone)]
pub struct PackageEntry {
    /// Its leaf index.
    pub leaf_index: u64,
    /// Its canonical bytes, exactly as logged.
    pub bytes: Vec<u8>,
    /// Its inclusion proof at the checkpoint's tree size.
    pub proof: InclusionProof,
}

/// A blob to put in a package.
#[derive(Debug, Clone)]
pub struct PackageBlob {
    /// Original file name or URL.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Why a package could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The checkpoint cannot be written.
    #[error("the checkpoint cannot be written: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// A proof is not for the checkpoint's tree size.
    #[error("the proof of entry {leaf_index} is for tree size {proof_size}, the checkpoint has {tree_size}")]
    ProofSize {
        /// Entry.
        leaf_index: u64,
        /// Its proof's size.
        proof_size: u64,
        /// The checkpoint's size.
        tree_size: u64,
    },
    /// Writing the archive failed.
    #[error("writing the archive: {0}")]
    Archive(#[from] std::io::Error),
    /// The package would not verify (a store bug or a wrong checkpoint): never hand it out.
    #[error("the package would not verify: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    WouldNotVerify(Vec<Problem>),
}

/// Everything a package holds, from pure inputs.
#[derive(Debug, Clone)]
pub struct Package {
    /// The case.
    pub case: CaseRef,
    /// The signed tree head every proof leads to.
    pub checkpoint: SignedCheckpoint,
    /// The public keys (current and retired) a verifier may need.
    pub keys: Vec<VerifierKey>,
    /// The entries.
    pub entries: Vec<PackageEntry>,
    /// The blobs.
    pub blobs: Vec<PackageBlob>,
}

fn entry_file(i: u64) -> String {
    format!("entries/{i:020}.entry")
}
fn proof_file(i: u64) -> String {
    format!("proofs/{i:020}.json")
}
fn blob_file(h: &Hash) -> String {
    format!("blobs/{}", hex::encode(h))
}
fn key_file(k: &VerifierKey) -> String {
    format!("keys/{}+{}.pub", k.name().replace('/', "_"), k.key_id())
}

impl Package {
    /// The manifest of this package.
    pub fn manifest(&self) -> Manifest {
        let c = &self.checkpoint.checkpoint;
        let mut entries: Vec<ManifestEntry> = self
            .entries
            .iter()
            .map(|e| ManifestEntry {
                leaf_index: e.leaf_index,
                kind: Entry::decode(&e.bytes)
                    .map(|x| x.kind())
                    .unwrap_or(EntryKind::EvidenceCaptured),
                leaf_hash: leaf_hash(&e.bytes),
                file: entry_file(e.leaf_index),
                proof: proof_file(e.leaf_index),
            })
            .collect();
        entries.sort_by_key(|e| e.leaf_index);
        let mut blobs: Vec<ManifestBlob> = self
            .blobs
            .iter()
            .map(|b| {
                let h = sha256(&b.bytes);
                ManifestBlob {
                    sha256: h,
                    file: blob_file(&h),
                    size: b.bytes.len() as u64,
                    name: b.name.clone(),
                    media_type: b.media_type.clone(),
                }
            })
            .collect();
        blobs.sort_by_key(|b| b.sha256);
        blobs.dedup_by(|a, b| a.sha256 == b.sha256);
        Manifest {
            format: PACKAGE_FORMAT.into(),
            version: PACKAGE_VERSION,
            case: self.case.clone(),
            log: LogRef {
                origin: c.origin.clone(),
                tree_size: c.size,
                root: c.root,
            },
            entries,
            blobs,
        }
    }

    /// The archive bytes (tar). Deterministic: the same package gives the same bytes.
    /// Refuses to produce a package that [`verify_package`] would not accept (checked
    /// against the keys in the package).
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        let size = self.checkpoint.checkpoint.size;
        for e in &self.entries {
            if e.proof.tree_size != size {
                return Err(BuildError::ProofSize {
                    leaf_index: e.leaf_index,
                    proof_size: e.proof.tree_size,
                    tree_size: size,
                });
            }
        }
        let manifest = self.manifest();
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        files.insert("manifest.json".into(), json);
        files.insert("checkpoint".into(), self.checkpoint.text()?.into_bytes());
        for k in &self.keys {
            files.insert(key_file(k), format!("{}\n", k.text()).into_bytes());
        }
        for e in &self.entries {
            files.insert(entry_file(e.leaf_index), e.bytes.clone());
            let p = serde_json::to_vec_pretty(&e.proof).map_err(std::io::Error::other)?;
            files.insert(proof_file(e.leaf_index), p);
        }
        for b in &self.blobs {
            files.insert(blob_file(&sha256(&b.bytes)), b.bytes.clone());
        }
        let mtime = self.checkpoint.checkpoint.time.timestamp().max(0) as u64;
        let order = canonical_order(&files, &manifest);
        let bytes = write_archive(&files, &order, mtime)?.0;
        let report = verify_package(&bytes, None);
        if !report.is_valid() {
            return Err(BuildError::WouldNotVerify(report.problems));
        }
        Ok(bytes)
    }
}

/// One problem found in a package. Each names the part it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The bytes are not a readable tar archive.
    #[error("the package is not a readable archive: {0}")]
    Archive(String),
    /// Two files with the same path.
    #[error("file {0} appears more than once in the archive")]
    DuplicateFile(String),
    /// The archive's bytes are not exactly those `evidence export` writes for its content
    /// (FORMAT.md §5): other header fields, non-zero padding, members out of order, extra
    /// members or trailing bytes.
    #[error("the archive is not in its canonical form: {0}")]
    NotCanonical(String),
    /// A file the manifest does not account for.
    #[error("file {0} is not listed in the manifest")]
    UnexpectedFile(String),
    /// `manifest.json` missing or unreadable.
    #[error("manifest.json: {0}")]
    Manifest(String),
    /// A file the manifest lists is not in the archive.
    #[error("the manifest lists {0}, which is missing from the archive")]
    MissingFile(String),
    /// A key file that does not parse.
    #[error("key file {file}: {error}")]
    Key {
        /// The file.
        file: String,
        /// What is wrong.
        error: CheckpointError,
    },
    /// The checkpoint is missing, unreadable, unsigned, or its signature is wrong.
    #[error("checkpoint: {0}")]
    Checkpoint(CheckpointError),
    /// Signed by a key in the package that the verifier does not trust.
    #[error("the checkpoint is signed by key {0}, which is not among the trusted keys given")]
    UntrustedKey(String),
    /// The manifest's copy of the tree head disagrees with the signed checkpoint.
    #[error("the manifest says {field} is {manifest}, the signed checkpoint says {checkpoint}")]
    ManifestDisagrees {
        /// Which field.
        field: &'static str,
        /// The manifest's value.
        manifest: String,
        /// The checkpoint's value.
        checkpoint: String,
    },
    /// An entry listed twice.
    #[error("entry {0} is listed more than once")]
    DuplicateEntry(u64),
    /// An entry's leaf index is not in the signed tree.
    #[error("entry {leaf_index} is beyond the signed tree size {tree_size}")]
    BeyondTree {
        /// Entry.
        leaf_index: u64,
        /// Signed tree size.
        tree_size: u64,
    },
    /// An entry's bytes do not decode.
    #[error("entry {leaf_index} does not decode: {error}")]
    EntryDecode {
        /// Entry.
        leaf_index: u64,
        /// Why.
        error: DecodeError,
    },
    /// The entry bytes do not hash to the leaf hash in the manifest.
    #[error("entry {0} does not hash to the leaf hash listed in the manifest")]
    LeafHashMismatch(u64),
    /// The manifest names another kind than the entry has.
    #[error("entry {leaf_index} is {actual}, the manifest says {manifest}")]
    KindMismatch {
        /// Entry.
        leaf_index: u64,
        /// In the manifest.
        manifest: &'static str,
        /// In the entry.
        actual: &'static str,
    },
    /// An entry names another case.
    #[error("entry {leaf_index} belongs to case {case}, not to this package's case")]
    OtherCase {
        /// Entry.
        leaf_index: u64,
        /// The case it names.
        case: Uuid,
    },
    /// A proof file that does not parse.
    #[error("the inclusion proof of entry {leaf_index} is unreadable: {error}")]
    ProofUnreadable {
        /// Entry.
        leaf_index: u64,
        /// Why.
        error: String,
    },
    /// A proof file for another leaf.
    #[error("the inclusion proof filed for entry {leaf_index} is for entry {proof_index}")]
    ProofForOtherEntry {
        /// Entry.
        leaf_index: u64,
        /// The index in the proof.
        proof_index: u64,
    },
    /// A proof for another tree size than the checkpoint's.
    #[error("the inclusion proof of entry {leaf_index} is for tree size {proof_size}, the signed checkpoint has {tree_size}")]
    TreeSizeMismatch {
        /// Entry.
        leaf_index: u64,
        /// In the proof.
        proof_size: u64,
        /// In the checkpoint.
        tree_size: u64,
    },
    /// The inclusion proof does not lead to the signed root.
    #[error("the inclusion proof of entry {leaf_index} does not lead to the signed root: {error}")]
    NotIncluded {
        /// Entry.
        leaf_index: u64,
        /// Why.
        error: ProofError,
    },
    /// A blob whose bytes do not match its hash.
    #[error("blob file {file} is corrupt: its bytes hash to {actual}")]
    BlobHashMismatch {
        /// The file.
        file: String,
        /// What the bytes hash to.
        actual: String,
    },
    /// A blob of another size than the manifest says.
    #[error("blob file {file} is {actual} bytes, the manifest says {manifest}")]
    BlobSizeMismatch {
        /// The file.
        file: String,
        /// In the manifest.
        manifest: u64,
        /// Actual.
        actual: u64,
    },
    /// A blob no entry of the package captures: nothing in the log vouches for it.
    #[error("blob file {0} is not captured by any entry of the package")]
    BlobNotLogged(String),
    /// The manifest describes a blob differently from the (logged) entry capturing it.
    #[error("the manifest gives blob file {file} {field} {manifest:?}, entry {leaf_index} says {entry:?}")]
    BlobLabelMismatch {
        /// The file.
        file: String,
        /// Which label.
        field: &'static str,
        /// The manifest's value.
        manifest: String,
        /// The entry's value.
        entry: String,
        /// The entry.
        leaf_index: u64,
    },
    /// An evidence entry names a blob the package does not carry.
    #[error("entry {leaf_index} captures blob {blob}, which the package does not contain")]
    BlobNotPackaged {
        /// Entry.
        leaf_index: u64,
        /// Blob hash.
        blob: String,
    },
}

/// What a package holds, as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Case number, from the manifest.
    pub case_number: Option<String>,
    /// Entries listed.
    pub entries: usize,
    /// Blobs listed.
    pub blobs: usize,
    /// Log origin, from the checkpoint.
    pub origin: Option<String>,
    /// Signed tree size.
    pub tree_size: Option<u64>,
    /// Signed root (hex).
    pub root: Option<String>,
    /// Checkpoint time.
    pub time: Option<DateTime<Utc>>,
    /// The key that signed, `name+keyid`.
    pub signed_by: Option<String>,
}

/// The verdict on a package: valid when there are no problems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// What the package holds.
    pub summary: Summary,
}

impl Report {
    /// Whether the package verified.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The order of the members of a package (FORMAT.md §5): `manifest.json`, `checkpoint`,
/// the keys by file name, each entry followed by its proof in the manifest's order (by
/// leaf index), then the blobs in the manifest's order (by hash). Only files present in
/// `files` are named.
fn canonical_order(files: &BTreeMap<String, Vec<u8>>, manifest: &Manifest) -> Vec<String> {
    let mut order: Vec<String> = vec!["manifest.json".into(), "checkpoint".into()];
    order.extend(files.keys().filter(|k| k.starts_with("keys/")).cloned());
    for e in &manifest.entries {
        order.push(e.file.clone());
        order.push(e.proof.clone());
    }
    order.extend(manifest.blobs.iter().map(|b| b.file.clone()));
    let mut seen = BTreeSet::new();
    order.retain(|p| files.contains_key(p) && seen.insert(p.clone()));
    // Files the manifest does not name (reported as unexpected) last, by path.
    let named: BTreeSet<String> = order.iter().cloned().collect();
    order.extend(files.keys().filter(|k| !named.contains(*k)).cloned());
    order
}

/// Where a member lies in an archive: (path, header offset, data length).
type Layout = Vec<(String, usize, usize)>;

/// Writes `order` from `files` as a ustar archive: for each member a header (regular
/// file, mode 0644, uid and gid 0, `mtime`), the bytes, zero padding to 512; then the
/// two zero blocks that end an archive. The one writer of package archives.
fn write_archive(
    files: &BTreeMap<String, Vec<u8>>,
    order: &[String],
    mtime: u64,
) -> std::io::Result<(Vec<u8>, Layout)> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut layout = Vec::with_capacity(order.len());
    let mut offset = 0;
    for path in order {
        let data = files.get(path).map(Vec::as_slice).unwrap_or_default();
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, data)?;
        layout.push((path.clone(), offset, data.len()));
        offset += 512 + data.len().div_ceil(512) * 512;
    }
    Ok((tar.into_inner()?, layout))
}

/// The canonical archive of the files of a package, as `evidence export` writes it, when
/// its manifest and checkpoint can be read (they give the order and the time stamp).
pub fn canonical_archive(files: &BTreeMap<String, Vec<u8>>) -> Option<Vec<u8>> {
    canonical_layout(files).map(|(bytes, _)| bytes)
}

fn canonical_layout(files: &BTreeMap<String, Vec<u8>>) -> Option<(Vec<u8>, Layout)> {
    let manifest: Manifest = serde_json::from_slice(files.get("manifest.json")?).ok()?;
    let checkpoint = std::str::from_utf8(files.get("checkpoint")?)
        .ok()
        .and_then(|t| SignedCheckpoint::parse(t).ok())?;
    let mtime = checkpoint.checkpoint.time.timestamp().max(0) as u64;
    // Each file as export writes it for what it says: a file that reads the same but is
    // written otherwise (spacing, line ends, key text) is not canonical either.
    let mut canonical = files.clone();
    for (path, data) in canonical.iter_mut() {
        let text = std::str::from_utf8(data).ok();
        let rewritten = if path == "manifest.json" {
            serde_json::to_vec_pretty(&manifest).ok()
        } else if path == "checkpoint" {
            checkpoint.text().ok().map(String::into_bytes)
        } else if path.starts_with("keys/") {
            text.and_then(|t| VerifierKey::parse(t).ok())
                .map(|k| format!("{}\n", k.text()).into_bytes())
        } else if path.starts_with("proofs/") {
            serde_json::from_slice::<InclusionProof>(data)
                .ok()
                .and_then(|p| serde_json::to_vec_pretty(&p).ok())
        } else {
            None
        };
        if let Some(r) = rewritten {
            *data = r;
        }
    }
    write_archive(&canonical, &canonical_order(files, &manifest), mtime).ok()
}

/// Names the first byte where `bytes` differ from the canonical archive, and where it is.
fn first_difference(bytes: &[u8], canonical: &[u8], layout: &Layout) -> Option<String> {
    let at = bytes
        .iter()
        .zip(canonical)
        .position(|(a, b)| a != b)
        .or_else(|| (bytes.len() != canonical.len()).then(|| bytes.len().min(canonical.len())))?;
    let place = layout
        .iter()
        .find(|(_, start, len)| at >= *start && at < start + 512 + len.div_ceil(512) * 512)
        .map(|(path, start, len)| {
            if at < start + 512 {
                format!("in the header of {path}")
            } else if at < start + 512 + len {
                format!("in the contents of {path}")
            } else {
                format!("in the padding after {path}, which must be zero")
            }
        })
        .unwrap_or_else(|| {
            if bytes.len() > canonical.len() && at >= canonical.len() {
                format!(
                    "{} bytes follow the end of the archive",
                    bytes.len() - canonical.len()
                )
            } else if at >= bytes.len() {
                "the archive ends early".to_string()
            } else {
                "in the end-of-archive blocks, which must be zero".to_string()
            }
        });
    Some(format!("byte {at} differs ({place})"))
}

fn read_archive(bytes: &[u8], report: &mut Report) -> Option<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(Cursor::new(bytes));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            report.problems.push(Problem::Archive(e.to_string()));
            return None;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                report.problems.push(Problem::Archive(e.to_string()));
                return None;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut data = Vec::new();
        if let Err(e) = entry.read_to_end(&mut data) {
            report.problems.push(Problem::Archive(e.to_string()));
            return None;
        }
        if files.insert(path.clone(), data).is_some() {
            report.problems.push(Problem::DuplicateFile(path));
        }
    }
    if files.is_empty() {
        report
            .problems
            .push(Problem::Archive("it contains no files".into()));
        return None;
    }
    Some(files)
}

/// Checks a package offline. With `trusted`, the checkpoint must be signed by one of those
/// keys; without, by a key the package carries (then compare the reported key id with the
/// one the agency publishes).
pub fn verify_package(bytes: &[u8], trusted: Option<&Keyring>) -> Report {
    let mut report = Report::default();
    let Some(files) = read_archive(bytes, &mut report) else {
        return report;
    };
    let mut accounted: BTreeSet<&str> = BTreeSet::new();
    let problems = &mut report.problems;
    let summary = &mut report.summary;

    // Keys carried in the package.
    let mut carried = Keyring::default();
    for (path, data) in files.iter().filter(|(p, _)| p.starts_with("keys/")) {
        accounted.insert(path);
        match std::str::from_utf8(data)
            .map_err(|_| CheckpointError::BadKey("not UTF-8"))
            .and_then(VerifierKey::parse)
        {
            Ok(k) => carried.add(k),
            Err(error) => problems.push(Problem::Key {
                file: path.clone(),
                error,
            }),
        }
    }

    // The signed checkpoint.
    accounted.insert("checkpoint");
    let checkpoint = match files.get("checkpoint") {
        None => {
            problems.push(Problem::MissingFile("checkpoint".into()));
            None
        }
        Some(data) => match std::str::from_utf8(data)
            .map_err(|_| CheckpointError::Malformed("not UTF-8"))
            .and_then(SignedCheckpoint::parse)
        {
            Err(e) => {
                problems.push(Problem::Checkpoint(e));
                None
            }
            Ok(c) => Some(c),
        },
    };
    if let Some(c) = &checkpoint {
        let head = &c.checkpoint;
        summary.origin = Some(head.origin.clone());
        summary.tree_size = Some(head.size);
        summary.root = Some(hex::encode(head.root));
        summary.time = Some(head.time);
        let ring = trusted.unwrap_or(&carried);
        match c.verify(ring) {
            Ok(k) => summary.signed_by = Some(format!("{}+{}", k.name(), k.key_id())),
            Err(CheckpointError::UnknownKey { name, key_id }) if trusted.is_some() => {
                problems.push(Problem::UntrustedKey(format!("{name}+{key_id}")));
            }
            Err(e) => problems.push(Problem::Checkpoint(e)),
        }
    }

    // The manifest.
    accounted.insert("manifest.json");
    let manifest: Option<Manifest> = match files.get("manifest.json") {
        None => {
            problems.push(Problem::MissingFile("manifest.json".into()));
            None
        }
        Some(data) => match serde_json::from_slice::<Manifest>(data) {
            Err(e) => {
                problems.push(Problem::Manifest(e.to_string()));
                None
            }
            Ok(m) if m.format != PACKAGE_FORMAT || m.version != PACKAGE_VERSION => {
                problems.push(Problem::Manifest(format!(
                    "format {} version {} is not supported (this build reads {PACKAGE_FORMAT} version {PACKAGE_VERSION})",
                    m.format, m.version
                )));
                None
            }
            Ok(m) => Some(m),
        },
    };
    let Some(manifest) = manifest else {
        return report;
    };
    summary.case_number = Some(manifest.case.number.clone());
    summary.entries = manifest.entries.len();
    summary.blobs = manifest.blobs.len();

    if let Some(c) = &checkpoint {
        let head = &c.checkpoint;
        let pairs = [
            (
                "the origin",
                manifest.log.origin.clone(),
                head.origin.clone(),
            ),
            (
                "the tree size",
                manifest.log.tree_size.to_string(),
                head.size.to_string(),
            ),
            (
                "the root",
                hex::encode(manifest.log.root),
                hex::encode(head.root),
            ),
        ];
        for (field, m, c) in pairs {
            if m != c {
                problems.push(Problem::ManifestDisagrees {
                    field,
                    manifest: m,
                    checkpoint: c,
                });
            }
        }
    }

    // Blobs.
    let mut packaged_blobs = BTreeSet::new();
    for b in &manifest.blobs {
        accounted.insert(&b.file);
        let Some(data) = files.get(&b.file) else {
            problems.push(Problem::MissingFile(b.file.clone()));
            continue;
        };
        let actual = sha256(data);
        if actual != b.sha256 || b.file != blob_file(&b.sha256) {
            problems.push(Problem::BlobHashMismatch {
                file: b.file.clone(),
                actual: hex::encode(actual),
            });
        } else {
            packaged_blobs.insert(b.sha256);
        }
        if data.len() as u64 != b.size {
            problems.push(Problem::BlobSizeMismatch {
                file: b.file.clone(),
                manifest: b.size,
                actual: data.len() as u64,
            });
        }
    }

    // Entries and their proofs.
    let mut seen = BTreeSet::new();
    let mut logged_blobs = BTreeSet::new();
    for e in &manifest.entries {
        let i = e.leaf_index;
        accounted.insert(&e.file);
        accounted.insert(&e.proof);
        if !seen.insert(i) {
            problems.push(Problem::DuplicateEntry(i));
            continue;
        }
        if let Some(c) = &checkpoint {
            if i >= c.checkpoint.size {
                problems.push(Problem::BeyondTree {
                    leaf_index: i,
                    tree_size: c.checkpoint.size,
                });
            }
        }
        let Some(bytes) = files.get(&e.file) else {
            problems.push(Problem::MissingFile(e.file.clone()));
            continue;
        };
        let leaf = leaf_hash(bytes);
        if leaf != e.leaf_hash {
            problems.push(Problem::LeafHashMismatch(i));
        }
        match Entry::decode(bytes) {
            Err(error) => problems.push(Problem::EntryDecode {
                leaf_index: i,
                error,
            }),
            Ok(entry) => {
                if entry.kind() != e.kind {
                    problems.push(Problem::KindMismatch {
                        leaf_index: i,
                        manifest: e.kind.name(),
                        actual: entry.kind().name(),
                    });
                }
                if let Some(case) = entry.case().filter(|c| *c != manifest.case.id) {
                    problems.push(Problem::OtherCase {
                        leaf_index: i,
                        case,
                    });
                }
                if let Entry::EvidenceCaptured(ev) = &entry {
                    logged_blobs.insert(ev.blob);
                    if let Some(b) = manifest.blobs.iter().find(|b| b.sha256 == ev.blob) {
                        let labels = [
                            ("the name", &b.name, &ev.source),
                            ("the media type", &b.media_type, &ev.media_type),
                        ];
                        for (field, m, e) in labels {
                            if m != e {
                                problems.push(Problem::BlobLabelMismatch {
                                    file: b.file.clone(),
                                    field,
                                    manifest: m.clone(),
                                    entry: e.clone(),
                                    leaf_index: i,
                                });
                            }
                        }
                        if b.size != ev.size {
                            problems.push(Problem::BlobLabelMismatch {
                                file: b.file.clone(),
                                field: "the size",
                                manifest: b.size.to_string(),
                                entry: ev.size.to_string(),
                                leaf_index: i,
                            });
                        }
                    }
                }
                if let Some(blob) = entry.blob().filter(|b| !packaged_blobs.contains(b)) {
                    // A listed but corrupt blob is reported above already.
                    if !manifest.blobs.iter().any(|b| b.sha256 == blob) {
                        problems.push(Problem::BlobNotPackaged {
                            leaf_index: i,
                            blob: hex::encode(blob),
                        });
                    }
                }
            }
        }
        let Some(proof_bytes) = files.get(&e.proof) else {
            problems.push(Problem::MissingFile(e.proof.clone()));
            continue;
        };
        let proof = match serde_json::from_slice::<InclusionProof>(proof_bytes) {
            Ok(p) => p,
            Err(err) => {
                problems.push(Problem::ProofUnreadable {
                    leaf_index: i,
                    error: err.to_string(),
                });
                continue;
            }
        };
        if proof.leaf_index != i {
            problems.push(Problem::ProofForOtherEntry {
                leaf_index: i,
                proof_index: proof.leaf_index,
            });
        }
        if let Some(c) = &checkpoint {
            let head = &c.checkpoint;
            if proof.tree_size != head.size {
                problems.push(Problem::TreeSizeMismatch {
                    leaf_index: i,
                    proof_size: proof.tree_size,
                    tree_size: head.size,
                });
            }
            // Checked against the signed size and index, whatever the proof file claims.
            if let Err(error) =
                crate::tree::verify_inclusion(i, head.size, &leaf, &proof.hashes, &head.root)
            {
                problems.push(Problem::NotIncluded {
                    leaf_index: i,
                    error,
                });
            }
        }
    }

    for b in &manifest.blobs {
        if !logged_blobs.contains(&b.sha256) {
            problems.push(Problem::BlobNotLogged(b.file.clone()));
        }
    }
    for path in files.keys() {
        if !accounted.contains(path.as_str()) {
            problems.push(Problem::UnexpectedFile(path.clone()));
        }
    }
    if let Some((canonical, layout)) = canonical_layout(&files) {
        if let Some(difference) = first_difference(bytes, &canonical, &layout) {
            report.problems.push(Problem::NotCanonical(difference));
        }
    }
    report
}
