//! Writing files that hold secrets (exports, backups, settings): privately (mode 0600 in a
//! 0700 folder where the OS has modes) and atomically (a temporary file beside the target,
//! synced, then moved in place, so a crash leaves the old file or the new one, never half of
//! one). One implementation for the CLI, the app and core's automatic backups (issue 10 §2).
//! The vault file has its own, stricter write path (generations, locks, read-back:
//! `vault::VaultFile::save`).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// What to do when the target already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Fail with [`io::ErrorKind::AlreadyExists`], even when the file appears while this
    /// write is under way (the move is a hard link, which never replaces).
    Keep,
    /// Replace it (atomically: readers see the old file or the new one).
    Replace,
}

/// Writes `bytes` to `path` as a file only its owner can read, atomically.
///
/// A `path` that exists and is not a regular file (a folder, a FIFO, a device) is refused
/// either way.
///
/// # Errors
/// The I/O error; [`io::ErrorKind::AlreadyExists`] under [`Existing::Keep`] when `path`
/// exists. On any error the temporary file is gone and `path` is as it was.
pub fn write_private(path: &Path, bytes: &[u8], existing: Existing) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Some(file_name) = path.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "expected a file name, not a folder",
        ));
    };
    match std::fs::symlink_metadata(path) {
        Ok(_) if existing == Existing::Keep => return Err(io::ErrorKind::AlreadyExists.into()),
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the target exists and is not a regular file",
            ))
        }
        _ => {}
    }
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix)
        .map_err(|e| io::Error::other(format!("system random number generator failed: {e}")))?;
    let tmp = dir.join(format!(
        ".{}.{:016x}.tmp",
        file_name.to_string_lossy(),
        u64::from_le_bytes(suffix)
    ));
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = opts.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        match existing {
            Existing::Replace => std::fs::rename(&tmp, path),
            Existing::Keep => publish_no_clobber(&tmp, path),
        }
    });
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The move is durable once the folder is synced (best effort: not every OS or file
    // system lets a folder be opened).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Moves `tmp` to `path` unless `path` exists.
fn publish_no_clobber(tmp: &Path, path: &Path) -> io::Result<()> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => std::fs::remove_file(tmp),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        // File systems without hard links (FAT, some network mounts): check, then rename.
        Err(_) if path.exists() => Err(io::ErrorKind::AlreadyExists.into()),
        Err(_) => std::fs::rename(tmp, path),
    }
}

/// Reads at most `max` bytes of `path` into a buffer wiped on drop, refusing anything that is
/// not a regular file: a FIFO would block the reader forever, a device would never end, a
/// folder is no file (issue 11 item 4). On Unix the file is opened without blocking and its
/// type checked on the open handle, so a FIFO swapped in after a check cannot slip through.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] for a non-regular file or one larger than `max` (the
/// message says which); the I/O error otherwise.
pub fn read_regular(path: &Path, max: usize) -> io::Result<zeroize::Zeroizing<Vec<u8>>> {
    use std::io::Read as _;
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a folder, pipe or device)",
        ));
    }
    if meta.len() > max as u64 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the file is {} bytes, expected at most {max}", meta.len()),
        ));
    }
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(meta.len() as usize));
    file.take(max as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the file is larger than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// Whether `a` and `b` name the same file: the same path, or the same file on disk under
/// another spelling (`./vault`, a symbolic link). Exports use it to refuse the vault itself.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Creates `dir` and its parents; new folders are owner-only (0700) where the OS has modes.
///
/// # Errors
/// The I/O error.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_never_replaces_and_replace_does_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_private(&p, b"one", Existing::Keep).unwrap();
        let e = write_private(&p, b"two", Existing::Keep).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_private(&p, b"three", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_same_file_is_recognised_under_another_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.twofold");
        std::fs::write(&vault, b"v").unwrap();
        assert!(same_file(
            &dir.path().join(".").join("vault.twofold"),
            &vault
        ));
        assert!(!same_file(&dir.path().join("backup.age"), &vault));
    }

    #[test]
    #[cfg(unix)]
    fn read_regular_refuses_fifos_folders_and_big_files_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo (coreutils) runs");
        assert!(made.success());
        // Returns at once (a blocking open of a FIFO with no writer would hang here).
        let e = read_regular(&fifo, 1024).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
        assert_eq!(
            read_regular(dir.path(), 1024).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let f = dir.path().join("f");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(&*read_regular(&f, 5).unwrap(), b"12345");
        assert_eq!(
            read_regular(&f, 4).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn refuses_folders_and_other_non_files() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = write_private(&sub, b"x", Existing::Replace).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(sub.is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
