//! `sync::find_copies` on real vault files: the copies a sync tool leaves beside the vault are
//! found by their naming and by their header's vault id; another vault, our own generation
//! files and look-alike names are not.
// See: issue 13 (your codes on every computer).

use twofold_core::keychain::MemoryKeyStore;
use twofold_core::sync::{self, CopyKind};
use twofold_core::vault::VaultFile;

use crate::util::password_opts;

#[test]
fn copies_are_found_by_name_and_by_vault_id_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.twofold");
    let store = MemoryKeyStore::new();
    let (mut vf, _) = VaultFile::create(&path, password_opts("sync copies"), &store, 0).unwrap();
    // Not a vault: no copies.
    assert!(sync::find_copies(&dir.path().join("nothing"))
        .unwrap()
        .is_empty());
    vf.save().unwrap(); // a generation file beside it
    let other = dir.path().join("other.twofold");
    VaultFile::create(&other, password_opts("another vault"), &store, 0).unwrap();

    let bytes = std::fs::read(&path).unwrap();
    let copies = [
        (
            "vault.sync-conflict-20261207-101500-ABCDEFG.twofold",
            CopyKind::Syncthing,
        ),
        (
            "vault (conflicted copy 2026-12-07 101500).twofold",
            CopyKind::Nextcloud,
        ),
        (
            "vault (laptop's conflicted copy 2026-12-07).twofold",
            CopyKind::Dropbox,
        ),
        ("vault-LAPTOP.twofold", CopyKind::OneDrive),
        ("restored from the cloud.bin", CopyKind::SameVault),
    ];
    for (name, _) in copies {
        std::fs::write(dir.path().join(name), &bytes).unwrap();
    }
    // Named as a copy but another vault's; named as a copy but not a vault at all; a
    // truncated header.
    std::fs::copy(&other, dir.path().join("vault-DESKTOP.twofold")).unwrap();
    std::fs::write(dir.path().join("vault-NOTES.twofold"), b"hello").unwrap();
    std::fs::write(dir.path().join("vault-CUT.twofold"), &bytes[..40]).unwrap();
    // A copy in a subfolder is not beside the vault.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/vault-LAPTOP.twofold"), &bytes).unwrap();

    let found = sync::find_copies(&path).unwrap();
    let mut got: Vec<(String, CopyKind)> = found
        .iter()
        .map(|(p, k)| (p.file_name().unwrap().to_string_lossy().into_owned(), *k))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want: Vec<(String, CopyKind)> =
        copies.iter().map(|(n, k)| ((*n).to_owned(), *k)).collect();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want);

    // The other vault sees only its own copy, whatever its name says.
    let theirs = sync::find_copies(&other).unwrap();
    let theirs: Vec<(String, CopyKind)> = theirs
        .iter()
        .map(|(p, k)| (p.file_name().unwrap().to_string_lossy().into_owned(), *k))
        .collect();
    assert_eq!(
        theirs,
        vec![("vault-DESKTOP.twofold".to_owned(), CopyKind::SameVault)]
    );
}
