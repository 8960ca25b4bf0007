//! The active rule set: one assembly of the detection rules for every path that scans
//! (patrol, a platform's push, the demo, patrol workers), so that the same listing under
//! the same rules gets the same rule-set version — and so the same lead — however it came.
//!
//! A rule set is a pack (the one embedded in the binary, built from `rules/default`, or a
//! directory given with `--rules`) plus marks: the registry's marks in the store and any
//! marks files given on the command line, in a canonical order (so their order in the
//! store or on the command line does not change the version). A compiled file (`rules
//! compile`) is a complete rule set of its own: nothing is added to it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wangjian_detect::{
    merge_marks, read_marks, Detector, Mark, Problem, Problems, ReadOptions, RulePack, Ymd,
    PACK_FILES,
};
use wangjian_store::Store;

use crate::error::AppError;

/// Where the pack comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PackSource {
    /// The pack embedded in the binary (built from `rules/default`). The default
    /// everywhere, whatever the current directory holds.
    #[default]
    Embedded,
    /// A rule pack directory (`--rules DIR`): the files `rules/default` has.
    Dir(PathBuf),
    /// A compiled rule set (`rules compile`): pack and marks, complete.
    Compiled(PathBuf),
}

/// What a rule set is assembled from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSource {
    /// The pack.
    pub pack: PackSource,
    /// Marks files (the marks CSV or a CNIPA-shaped register) added to the registry's marks.
    pub marks_files: Vec<PathBuf>,
    /// Add the marks of the store's registry (always, but for `scan` without a store).
    pub registry: bool,
    /// The day the files' registrations are judged in force on (商标法 第四十条: a term
    /// that ended more than six months before is skipped); `None` keeps them all.
    pub as_of: Option<Ymd>,
}

/// A loaded rule source: the pack, the files' marks (one entry per word and owner), and
/// what was read but not used — each said once by whoever shows it.
#[derive(Debug)]
pub struct Loaded {
    /// The pack.
    pub pack: RulePack,
    /// The marks of the files, repeated rows merged.
    pub marks: Vec<Mark>,
    /// Per file, the registrations skipped as not in force.
    pub not_in_force: Vec<(PathBuf, Vec<Problem>)>,
    /// Repeated rows that were merged into one entry.
    pub merged: Vec<Problem>,
}

impl Default for RuleSource {
    fn default() -> Self {
        Self {
            pack: PackSource::Embedded,
            marks_files: vec![],
            registry: true,
            as_of: None,
        }
    }
}

/// The files of a pack directory ([`PACK_FILES`]), each named by its path so that every
/// problem reads `path:line: …`.
pub fn read_pack_dir(dir: &std::path::Path) -> Result<Vec<(String, String)>, AppError> {
    let mut files = Vec::new();
    for name in PACK_FILES {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            AppError::Unavailable(format!("reading rule file {}: {e}", path.display()))
        })?;
        files.push((path.display().to_string(), text));
    }
    Ok(files)
}

impl RuleSource {
    /// The pack and the marks of the files (not the registry's), every problem reported
    /// with its file and line.
    pub fn load(&self) -> Result<(RulePack, Vec<Mark>), AppError> {
        let l = self.load_noting()?;
        Ok((l.pack, l.marks))
    }

    /// [`RuleSource::load`] with what was read but not used: rows not in force, repeated
    /// rows merged (one word may belong to many owners: that is no problem at all).
    pub fn load_noting(&self) -> Result<Loaded, AppError> {
        let mut problems = Vec::new();
        let pack = match &self.pack {
            PackSource::Embedded => RulePack::embedded(),
            PackSource::Dir(d) => {
                let files = read_pack_dir(d)?;
                RulePack::parse(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            }
            PackSource::Compiled(p) => {
                return Err(AppError::Unavailable(format!(
                    "{} is a compiled rule set: load it with Detector::from_compiled",
                    p.display()
                )))
            }
        };
        let pack = match pack {
            Ok(p) => Some(p),
            Err(e) => {
                problems.extend(e.0);
                None
            }
        };
        let mut marks = Vec::new();
        let mut not_in_force = Vec::new();
        let options = ReadOptions { as_of: self.as_of };
        for path in &self.marks_files {
            let text = std::fs::read_to_string(path).map_err(|e| {
                AppError::Unavailable(format!("reading marks file {}: {e}", path.display()))
            })?;
            match read_marks(&path.display().to_string(), &text, options) {
                Ok(rows) => {
                    problems.extend(rows.problems);
                    marks.extend(rows.marks);
                    if !rows.skipped.is_empty() {
                        not_in_force.push((path.clone(), rows.skipped));
                    }
                }
                Err(e) => problems.extend(e.0),
            }
        }
        match pack {
            Some(pack) if problems.is_empty() => {
                let (marks, merged) = merge_marks(marks);
                Ok(Loaded {
                    pack,
                    marks,
                    not_in_force,
                    merged,
                })
            }
            _ => Err(AppError::Unavailable(format!(
                "invalid rules:\n{}",
                Problems(problems)
            ))),
        }
    }

    /// Builds the detector from this source and `registry` (the store's marks).
    pub fn build(&self, registry: Vec<Mark>) -> Result<Detector, AppError> {
        if let PackSource::Compiled(path) = &self.pack {
            let bytes = std::fs::read(path).map_err(|e| {
                AppError::Unavailable(format!("reading compiled rule set {}: {e}", path.display()))
            })?;
            return Detector::from_compiled(&bytes).map_err(|e| {
                AppError::Unavailable(format!("loading compiled rule set {}: {e}", path.display()))
            });
        }
        let (pack, marks) = self.load()?;
        let registry = if self.registry { registry } else { vec![] };
        assemble(pack, marks, registry)
    }
}

/// The detector of `pack` with the marks of the files and of the registry, in the one
/// canonical order (the rule-set version digests the marks in order). [`RuleSource::build`]
/// is this after [`RuleSource::load`]; an adapter that shows what loading noted calls
/// [`RuleSource::load_noting`] and then this.
pub fn assemble(
    pack: RulePack,
    mut marks: Vec<Mark>,
    registry: Vec<Mark>,
) -> Result<Detector, AppError> {
    marks.extend(registry);
    marks.sort_by(|a, b| (&a.mark, &a.owner).cmp(&(&b.mark, &b.owner)));
    Detector::build(pack, marks).map_err(|e| AppError::Unavailable(format!("invalid rules:\n{e}")))
}

/// How long a built rule set serves before the registry's marks are read again, unless
/// [`ActiveRules::invalidate`] is called first (the app does when it imports marks).
pub const REFRESH: Duration = Duration::from_secs(60);

/// The rule set in force, built once and shared (`Arc`). The pack and the marks files are
/// read once per process; every [`REFRESH`] the store's registry is read again, and the
/// detector is rebuilt only when the registry's marks changed.
#[derive(Debug)]
pub struct ActiveRules {
    source: RuleSource,
    state: tokio::sync::Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The pack and the files' marks (not for a compiled source), read once.
    files: Option<Arc<Loaded>>,
    built: Option<Built>,
}

#[derive(Debug)]
struct Built {
    /// When the registry was last compared.
    checked: Instant,
    /// The registry's marks the detector was built with.
    registry: Vec<Mark>,
    detector: Arc<Detector>,
}

impl ActiveRules {
    /// Rules assembled from `source`.
    pub fn new(source: RuleSource) -> Self {
        Self {
            source,
            state: tokio::sync::Mutex::new(State::default()),
        }
    }

    /// The source.
    pub fn source(&self) -> &RuleSource {
        &self.source
    }

    /// The detector in force, building it when missing, or when the registry changed since
    /// it was built (checked at most every [`REFRESH`]). Building runs off the async
    /// threads (50 000 marks take a second).
    pub async fn detector(&self, store: &Store) -> Result<Arc<Detector>, AppError> {
        let mut state = self.state.lock().await;
        if let Some(b) = &state.built {
            // A compiled rule set is complete: no registry to follow.
            if self.is_compiled() || b.checked.elapsed() < REFRESH {
                return Ok(b.detector.clone());
            }
        }
        let registry = if self.source.registry && !self.is_compiled() {
            store.marks().await?
        } else {
            vec![]
        };
        if let Some(b) = &mut state.built {
            if b.registry == registry {
                b.checked = Instant::now();
                return Ok(b.detector.clone());
            }
        }
        let detector = if self.is_compiled() {
            let source = self.source.clone();
            blocking(move || source.build(vec![])).await?
        } else {
            let files = match &state.files {
                Some(f) => f.clone(),
                None => {
                    let source = self.source.clone();
                    let f = Arc::new(blocking(move || source.load_noting()).await?);
                    state.files = Some(f.clone());
                    f
                }
            };
            let marks = registry.clone();
            blocking(move || assemble(files.pack.clone(), files.marks.clone(), marks)).await?
        };
        let detector = Arc::new(detector);
        state.built = Some(Built {
            checked: Instant::now(),
            registry,
            detector: detector.clone(),
        });
        Ok(detector)
    }

    /// What reading the pack and the marks files noted (rows merged, registrations not in
    /// force), once the rules were built; `None` before, or for a compiled source.
    pub async fn loaded(&self) -> Option<Arc<Loaded>> {
        self.state.lock().await.files.clone()
    }

    /// Forgets the built rule set: the next [`Self::detector`] reads the registry again.
    pub async fn invalidate(&self) {
        self.state.lock().await.built = None;
    }

    /// Forgets everything read: the next [`Self::detector`] reads the pack, the marks files
    /// (or the compiled file) and the registry again. What a patrol worker does when the
    /// cluster announces new rules (`wangjian cluster reload-rules`), so a changed `--rules`
    /// directory reaches every worker without a restart.
    pub async fn reload(&self) {
        let mut state = self.state.lock().await;
        state.built = None;
        state.files = None;
    }

    fn is_compiled(&self) -> bool {
        matches!(self.source.pack, PackSource::Compiled(_))
    }
}

/// Runs `f` off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Unavailable(format!("building the rule set: {e}")))?
}
