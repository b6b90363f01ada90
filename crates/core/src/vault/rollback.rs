//! Rollbacks (issue 11 item 2; `docs/vault.md` §7.1): a vault file older than a copy of the
//! same vault beside it, or than what this session already saw, as a sync tool or a restore
//! from an old copy leaves it. Finding one, and the two ways to settle it.

use std::path::{Path, PathBuf};

use super::disk::{identity, list_generations, map_parse, read_bytes};
use super::file::VaultFile;
use super::format;
use super::payload;
use super::slots::decrypt;
use super::{Vault, VaultError};

/// A vault file older than a copy of the same vault beside it, or than what this session
/// already saw: what a sync tool or a restore from an old copy leaves (issue 11 item 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollback {
    /// The generation of the vault file now.
    pub current: u64,
    /// The newest generation known: a file beside the vault, or what this session saw.
    pub newer: u64,
    /// The newer generation file beside the vault, when there is one.
    pub newer_file: Option<PathBuf>,
    /// Whether this session still holds the newer accounts in memory (it had them open
    /// when the older file came in).
    pub in_memory: bool,
}

impl VaultFile {
    /// Whether the vault file is older than what is known of this vault: a generation file
    /// beside it with a higher number (the file was replaced by an older copy, as a sync tool
    /// or a restore from an old backup does), or a generation this session already loaded or
    /// wrote. `None` normally. Front ends warn (the CLI on standard error, the app with a
    /// banner) and offer [`VaultFile::restore_newer`] and [`VaultFile::keep_current`]; until
    /// one of them runs, [`VaultFile::save`] refuses, and no save ever overwrites a
    /// generation file (issue 11 item 2).
    ///
    /// A listing that fails reads as no rollback here; [`VaultFile::save`] checks again, under
    /// the write lock, and reports the failure.
    pub fn rollback(&self) -> Option<Rollback> {
        self.rollback_checked().ok().flatten()
    }

    /// [`VaultFile::rollback`], with the listing's failure reported. The generation files are
    /// judged against the file on disk only while it is still the one this session loaded or
    /// wrote: another process's save in between (which keeps the file it replaces as a
    /// generation) is a change on disk, for [`VaultFile::save`] to refuse as such, never a
    /// rollback.
    fn rollback_checked(&self) -> Result<Option<Rollback>, VaultError> {
        let listed = list_generations(&self.path)?;
        let unchanged = match read_bytes(&self.path) {
            Ok(bytes) => identity(&bytes) == self.disk_digest,
            Err(VaultError::NotFound { .. }) => false,
            Err(e) => return Err(e),
        };
        Ok(self.rollback_among(if unchanged { listed } else { Vec::new() }))
    }

    /// The rollback, judged against `listed`: the generation files beside the vault while the
    /// file on disk is the one this session loaded or wrote (none otherwise). A save calls it
    /// under the write lock, after its own check that the file is unchanged.
    pub(super) fn rollback_among(&self, listed: Vec<(PathBuf, u64)>) -> Option<Rollback> {
        let current = self.header.generation;
        let newer_file = listed
            .into_iter()
            .filter(|(_, g)| *g > current)
            .find(|(p, _)| same_vault(p, &self.header.vault_id));
        let in_memory = self.newer_state.as_ref().map(|s| s.2);
        let newer = newer_file
            .as_ref()
            .map_or(0, |(_, g)| *g)
            .max(self.seen_generation)
            .max(in_memory.unwrap_or(0));
        (newer > current).then(|| Rollback {
            current,
            newer,
            newer_file: newer_file.map(|(p, _)| p),
            in_memory: in_memory.is_some(),
        })
    }

    /// After a rollback, puts the newest accounts known back as a new generation: the ones
    /// this session held before the older file came in, else the newest generation file
    /// beside the vault ([`VaultFile::adopt_generation`]). No credential is asked.
    ///
    /// # Errors
    /// [`VaultError::InvalidOptions`] when there is no rollback to undo; as
    /// [`VaultFile::adopt_generation`] and [`VaultFile::save`].
    pub fn restore_newer(&mut self) -> Result<(), VaultError> {
        let Some(rollback) = self.rollback() else {
            return Err(VaultError::InvalidOptions {
                reason: "there is no newer copy of the vault to restore",
            });
        };
        let in_memory_gen = self.newer_state.as_ref().map(|s| s.2);
        let file_gen = rollback
            .newer_file
            .as_ref()
            .and_then(|_| (rollback.newer > self.header.generation).then_some(rollback.newer));
        match (in_memory_gen, &rollback.newer_file) {
            (Some(m), _) if file_gen.is_none_or(|f| m >= f) => {
                let state = self.newer_state.take().map(|b| *b);
                let Some((vault, created_at, _)) = state else {
                    return Ok(());
                };
                let before = (
                    std::mem::replace(&mut self.vault, vault),
                    std::mem::replace(&mut self.created_at, created_at),
                );
                self.save_settled().inspect_err(|_| {
                    (self.vault, self.created_at) = before;
                })
            }
            (_, Some(file)) => {
                let file = file.clone();
                self.adopt_generation(&file)?;
                self.newer_state = None;
                Ok(())
            }
            (_, None) => Err(VaultError::InvalidOptions {
                reason: "the newer copy of the vault is no longer available",
            }),
        }
    }

    /// Makes a generation file's accounts the vault's again ("restore the newer copy" after a
    /// rollback), with the data key already in memory: no credential is asked. The accounts
    /// are saved as a new generation through the usual write path, so the file being
    /// replaced is kept beside it too.
    ///
    /// # Errors
    /// [`VaultError::Integrity`] when the file is another vault or was saved under another
    /// data key (before a credential change: open it with its own credential instead);
    /// format errors; everything [`VaultFile::save`] returns.
    pub fn adopt_generation(&mut self, generation_file: &Path) -> Result<(), VaultError> {
        let bytes = read_bytes(generation_file)?;
        let parsed = format::parse(&bytes).map_err(|e| map_parse(generation_file, e))?;
        if parsed.header.vault_id != self.header.vault_id {
            return Err(VaultError::Integrity {
                path: generation_file.to_owned(),
                what: "vault id (a copy of another vault)",
            });
        }
        let plaintext = decrypt(generation_file, &parsed, &self.dek)?;
        let decoded = payload::decode(&plaintext).map_err(|reason| VaultError::Malformed {
            path: generation_file.to_owned(),
            reason,
        })?;
        let before = (self.vault.clone(), self.created_at);
        self.vault = Vault::from_parts(decoded.accounts, decoded.auto_backup_password);
        self.created_at = decoded.created_at;
        self.save_settled().inspect_err(|_| {
            (self.vault, self.created_at) = before;
        })
    }

    /// After a rollback, keeps the older file's accounts: they are saved as a new generation,
    /// numbered above every copy, so the file is the newest again and changes save as usual.
    /// The newer copies stay beside it as generations (they leave only as later saves push
    /// them past the kept number), and what this session held of them is dropped.
    ///
    /// # Errors
    /// [`VaultError::InvalidOptions`] when there is no rollback to settle; everything
    /// [`VaultFile::save`] returns.
    pub fn keep_current(&mut self) -> Result<(), VaultError> {
        if self.rollback().is_none() {
            return Err(VaultError::InvalidOptions {
                reason: "the vault file is the newest copy; there is nothing to settle",
            });
        }
        self.save_settled()?;
        self.newer_state = None;
        Ok(())
    }
}

/// Whether the vault file at `path` carries `vault_id` (its header parses).
fn same_vault(path: &Path, vault_id: &[u8; 16]) -> bool {
    read_bytes(path)
        .ok()
        .and_then(|b| {
            format::parse(&b)
                .ok()
                .map(|p| &p.header.vault_id == vault_id)
        })
        .unwrap_or(false)
}
