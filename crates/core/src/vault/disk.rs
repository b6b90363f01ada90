//! The vault's files on disk: reading with bounds, the temporary file, the advisory write
//! lock, the generations kept beside the vault, and `seam`, the fault-injection points of the
//! write path (`docs/vault.md` §6; security.md §3.3, S1–S3). `file.rs` strings these steps
//! into a save; nothing here knows about keys.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::crypto::{self};
use super::format::{self, ParseError};
use super::VaultError;
use crate::keychain::hex;

/// How many previous generations are kept beside the vault (Aegis' default).
pub(super) const GENERATIONS_KEPT: usize = 5;

/// How long a save waits for another process's lock before reporting [`VaultError::Busy`].
const LOCK_WAIT: Duration = Duration::from_secs(3);

pub(super) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> VaultError + '_ {
    move |source| VaultError::Io {
        path: path.to_owned(),
        source,
    }
}

pub(super) fn map_parse(path: &Path, e: ParseError) -> VaultError {
    match e {
        ParseError::Malformed(reason) => VaultError::Malformed {
            path: path.to_owned(),
            reason,
        },
        ParseError::Version(version) => VaultError::UnsupportedVersion { version },
        ParseError::Checksum => VaultError::Integrity {
            path: path.to_owned(),
            what: "header checksum",
        },
        ParseError::Kdf(k) => VaultError::KdfParams {
            m_kib: k.m_kib,
            t: k.t,
            p: k.p,
        },
    }
}

/// The file-system steps of the write path, each named, so that a test can make the k-th one
/// fail (security.md S1 b, KeePassXC's `FailDevice` idea). In normal builds every function
/// here is a pass-through; the plan exists only with `cfg(test)` or the `fault-injection`
/// feature, and only for the thread that set it.
pub(super) mod seam {
    use std::io::{self, Write};

    #[cfg(any(test, feature = "fault-injection"))]
    mod plan {
        use std::cell::RefCell;

        /// What to break, and the steps seen since the plan was set.
        #[derive(Default)]
        pub(super) struct Plan {
            /// Fail the steps with these indices (0-based, counted from when the plan was set).
            pub(super) fail_at: Vec<usize>,
            /// Writes stop with ENOSPC after this many bytes of each written file.
            pub(super) write_limit: Option<usize>,
            /// Every written file gets this byte flipped, silently (a faulty disk).
            pub(super) corrupt_at: Option<usize>,
            /// Every step reached: its name and whether it was made to fail.
            pub(super) ops: Vec<(&'static str, bool)>,
        }

        thread_local! {
            pub(super) static PLAN: RefCell<Option<Plan>> = const { RefCell::new(None) };
        }
    }

    #[cfg(any(test, feature = "fault-injection"))]
    pub(in crate::vault) fn set(
        fail_at: &[usize],
        write_limit: Option<usize>,
        corrupt_at: Option<usize>,
    ) {
        plan::PLAN.with(|p| {
            *p.borrow_mut() = Some(plan::Plan {
                fail_at: fail_at.to_vec(),
                write_limit,
                corrupt_at,
                ops: Vec::new(),
            });
        });
    }

    #[cfg(any(test, feature = "fault-injection"))]
    pub(in crate::vault) fn take() -> Vec<(&'static str, bool)> {
        plan::PLAN.with(|p| p.borrow_mut().take().map(|p| p.ops).unwrap_or_default())
    }

    /// Counts one step named `name`; fails it if the plan says so. Injected failures are
    /// `EIO`, except that a failed write is `ENOSPC` (a full disk).
    #[cfg(any(test, feature = "fault-injection"))]
    pub(in crate::vault) fn op(name: &'static str) -> io::Result<()> {
        plan::PLAN.with(|p| {
            let mut p = p.borrow_mut();
            let Some(plan) = p.as_mut() else {
                return Ok(());
            };
            let fail = plan.fail_at.contains(&plan.ops.len());
            plan.ops.push((name, fail));
            if !fail {
                Ok(())
            } else if name == "write-temp" {
                Err(io::Error::from_raw_os_error(28))
            } else {
                Err(io::Error::from_raw_os_error(5))
            }
        })
    }

    #[cfg(not(any(test, feature = "fault-injection")))]
    #[inline(always)]
    pub(in crate::vault) fn op(_name: &'static str) -> io::Result<()> {
        Ok(())
    }

    /// `write_all`, cut short by ENOSPC if the plan limits how much a file may take, or
    /// silently corrupted if the plan says so.
    pub(in crate::vault) fn write_all(f: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
        op("write-temp")?;
        #[cfg(any(test, feature = "fault-injection"))]
        {
            let (limit, corrupt) = plan::PLAN.with(|p| {
                p.borrow()
                    .as_ref()
                    .map_or((None, None), |p| (p.write_limit, p.corrupt_at))
            });
            if let Some(limit) = limit.filter(|&l| l < bytes.len()) {
                f.write_all(&bytes[..limit])?;
                return Err(io::Error::from_raw_os_error(28));
            }
            if let Some(at) = corrupt.filter(|&at| at < bytes.len()) {
                let mut bad = bytes.to_vec();
                bad[at] ^= 0x01;
                return f.write_all(&bad);
            }
        }
        f.write_all(bytes)
    }
}

/// What identifies one written file, for change detection (S4): its length, its prefix (which
/// holds the per-save random salt and nonce) and its tag. Two saves never share these, and
/// hashing a few hundred bytes instead of the whole file keeps saves of large vaults fast. A
/// file damaged in its middle counts as unchanged here; saving over it is then harmless (it
/// is kept as a generation), and opening it reports the damage.
pub(super) fn identity(bytes: &[u8]) -> [u8; 32] {
    let head = bytes
        .len()
        .min(format::PREFIX_LEN + format::MAX_HEADER_LEN + format::CHECKSUM_LEN);
    let tail = bytes.len().saturating_sub(crypto::TAG_LEN).max(head);
    let mut data = Vec::with_capacity(8 + head + crypto::TAG_LEN);
    data.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    data.extend_from_slice(&bytes[..head]);
    data.extend_from_slice(&bytes[tail..]);
    crypto::sha256(&data)
}

/// Reads a vault file, refusing anything larger than [`format::MAX_FILE_LEN`].
pub(super) fn read_bytes(path: &Path) -> Result<Vec<u8>, VaultError> {
    let file = match seam::op("read").and_then(|()| File::open(path)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VaultError::NotFound {
                path: path.to_owned(),
            })
        }
        Err(e) => return Err(io_err(path)(e)),
    };
    let len = file.metadata().map_err(io_err(path))?.len();
    if len > format::MAX_FILE_LEN {
        return Err(VaultError::Malformed {
            path: path.to_owned(),
            reason: format!(
                "file is {len} bytes, expected at most {}",
                format::MAX_FILE_LEN
            ),
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(format::MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    Ok(bytes)
}

pub(super) fn file_name(path: &Path) -> Result<String, VaultError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or(VaultError::InvalidOptions {
            reason: "the vault path must end in a UTF-8 file name",
        })
}

pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Suffixes of the files kept beside a vault named `<name>` (`docs/vault.md` §6).
pub(super) const GEN_SUFFIX: &str = ".gen-";
pub(super) const TMP_SUFFIX: &str = ".tmp-";
pub(super) const LOCK_SUFFIX: &str = ".lock";
pub(super) const DAMAGED_SUFFIX: &str = ".damaged";

/// Whether `other` is the vault named `vault` itself or one of the files kept beside it
/// (generations, a save in progress, the lock, a file put aside as damaged).
pub(crate) fn is_own_file(vault: &str, other: &str) -> bool {
    other == vault
        || other.strip_prefix(vault).is_some_and(|rest| {
            rest.starts_with(GEN_SUFFIX)
                || rest.starts_with(TMP_SUFFIX)
                || rest == LOCK_SUFFIX
                || rest == DAMAGED_SUFFIX
        })
}

pub(super) fn sibling(path: &Path, suffix: &str) -> Result<PathBuf, VaultError> {
    Ok(parent_dir(path).join(format!("{}{suffix}", file_name(path)?)))
}

/// `<name>.gen-<generation>` beside `path`.
pub(super) fn gen_path(path: &Path, generation: u64) -> Result<PathBuf, VaultError> {
    sibling(path, &format!("{GEN_SUFFIX}{generation}"))
}

/// Opens a new file with mode 0600 set at creation (S6), failing if it exists.
pub(super) fn create_private(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Creates the vault's directory (mode 0700 for every component created) if missing.
pub(super) fn ensure_dir(dir: &Path) -> Result<(), VaultError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(io_err(dir))
}

/// Makes a rename or unlink in `dir` durable.
pub(super) fn sync_dir(dir: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        seam::op("fsync-dir")
            .and_then(|()| File::open(dir))
            .and_then(|d| d.sync_all())
            .map_err(io_err(dir))?;
    }
    #[cfg(not(unix))]
    {
        seam::op("fsync-dir").map_err(io_err(dir))?;
    }
    Ok(())
}

/// Writes `bytes` to a fresh `<name>.tmp-<random>` beside `path` and syncs it.
pub(super) fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, VaultError> {
    let rand: [u8; 8] = crypto::random_array()?;
    let tmp = sibling(path, &format!("{TMP_SUFFIX}{}", hex(&rand)))?;
    let result = seam::op("create-temp")
        .and_then(|()| create_private(&tmp))
        .and_then(|mut f| {
            seam::write_all(&mut f, bytes)?;
            seam::op("fsync-temp")?;
            f.sync_all()
        });
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io_err(&tmp)(e))
        }
    }
}

/// Removes `<name>.tmp-*` left behind by a crashed writer. Only called under the lock.
pub(super) fn remove_stale_temps(path: &Path) -> Result<(), VaultError> {
    let prefix = format!("{}{TMP_SUFFIX}", file_name(path)?);
    let dir = parent_dir(path);
    let entries = seam::op("list-temps")
        .and_then(|()| fs::read_dir(&dir))
        .map_err(io_err(&dir))?;
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&prefix))
        {
            let _ = fs::remove_file(e.path());
        }
    }
    Ok(())
}

/// The advisory write lock on `<name>.lock`, released on drop (or by the OS if the process
/// dies).
pub(super) struct WriteLock {
    _file: File,
}

impl WriteLock {
    pub(super) fn acquire(path: &Path) -> Result<Self, VaultError> {
        let lock_path = sibling(path, LOCK_SUFFIX)?;
        let mut o = OpenOptions::new();
        o.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let file = seam::op("lock")
            .and_then(|()| o.open(&lock_path))
            .map_err(io_err(&lock_path))?;
        let start = Instant::now();
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(WriteLock { _file: file }),
                Err(fs4::TryLockError::WouldBlock) => {
                    if start.elapsed() >= LOCK_WAIT {
                        return Err(VaultError::Busy {
                            path: path.to_owned(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(fs4::TryLockError::Error(e)) => return Err(io_err(&lock_path)(e)),
            }
        }
    }
}

/// Previous generations beside `path`, newest first.
pub(super) fn list_generations(path: &Path) -> Result<Vec<(PathBuf, u64)>, VaultError> {
    let prefix = format!("{}{GEN_SUFFIX}", file_name(path)?);
    let dir = parent_dir(path);
    let entries = match seam::op("list-generations").and_then(|()| fs::read_dir(&dir)) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    let mut gens: Vec<(PathBuf, u64)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let digits = name.strip_prefix(&prefix)?;
            let g: u64 = digits.parse().ok()?;
            // Only the canonical spelling, so `x.gen-007` is never mistaken for generation 7.
            (g.to_string() == digits).then(|| (e.path(), g))
        })
        .collect();
    gens.sort_by_key(|g| std::cmp::Reverse(g.1));
    Ok(gens)
}

/// The highest generation number among the files beside `path` (0 when there are none or
/// the folder cannot be listed): saves number above it. Not a step of the fault seam: a
/// listing that fails only means the usual numbering.
pub(super) fn newest_generation(path: &Path) -> u64 {
    let Ok(prefix) = file_name(path).map(|n| format!("{n}{GEN_SUFFIX}")) else {
        return 0;
    };
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let digits = name.strip_prefix(&prefix)?;
            let g: u64 = digits.parse().ok()?;
            (g.to_string() == digits).then_some(g)
        })
        .max()
        .unwrap_or(0)
}

/// Keeps the current file as `<name>.gen-<generation>`: a hard link, or a synced copy where
/// links are not supported. An existing file of that name is never replaced (issue 11 item
/// 2): either it is this same file (a save that crashed before its rename left the link), or
/// it is another copy of that generation (the vault was rolled back to an older file), whose
/// content must survive. The current file's content is not lost either way: the save being
/// made holds it.
pub(super) fn keep_generation(path: &Path, generation: u64) -> Result<(), VaultError> {
    let target = gen_path(path, generation)?;
    seam::op("remove-old-generation").map_err(io_err(&target))?;
    match fs::symlink_metadata(&target) {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&target)(e)),
    }
    if seam::op("link-generation")
        .and_then(|()| fs::hard_link(path, &target))
        .is_ok()
    {
        return Ok(());
    }
    let bytes = read_bytes(path)?;
    let tmp = write_temp(path, &bytes)?;
    seam::op("rename-generation")
        .and_then(|()| fs::rename(&tmp, &target))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(&target)(e)
        })
}

pub(super) fn prune_generations(path: &Path) -> Result<bool, VaultError> {
    let mut pruned = false;
    for (p, _) in list_generations(path)?.into_iter().skip(GENERATIONS_KEPT) {
        seam::op("remove-generation")
            .and_then(|()| fs::remove_file(&p))
            .map_err(io_err(&p))?;
        pruned = true;
    }
    Ok(pruned)
}
