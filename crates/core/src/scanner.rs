//! What a live scan has collected so far, and when it is done (issue 12).
//!
//! A camera (or any frame source) yields the payloads of one frame at a time. One `otpauth://`
//! URI is a whole result; a Google Authenticator transfer export is several QR codes shown one
//! after another (formats.md §2: `batch_size`, `batch_index`, `batch_id`), and the scan goes on
//! until every code of the batch has been read. Both front ends (the app's camera dialog and
//! `twofold-cli scan --camera`) ask this one collector, so "2 of 3 scanned" means the same
//! everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use zeroize::Zeroize;

use crate::{intake, migration};

/// How far a scan is: `scanned` codes of the largest batch still open, out of `expected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// Distinct OTP codes read (each migration QR code counts once).
    pub scanned: usize,
    /// Codes the scan waits for in all, when a transfer batch says how many; `None` when
    /// nothing announced a batch.
    pub expected: Option<usize>,
    /// Whether everything announced has been read (and at least one OTP code was).
    pub complete: bool,
}

/// The payloads a scan has read, de-duplicated, in the order first seen.
#[derive(Default)]
pub struct Collector {
    texts: Vec<String>,
    /// batch_id → (batch_size, indices seen).
    batches: BTreeMap<i32, (usize, BTreeSet<usize>)>,
    others: usize,
}

impl fmt::Debug for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The payloads carry secrets: counts only.
        write!(
            f,
            "Collector({} payloads, {} batches)",
            self.texts.len(),
            self.batches.len()
        )
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        for t in &mut self.texts {
            t.zeroize();
        }
    }
}

impl Collector {
    /// A collector with nothing read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one frame's payloads; returns whether anything new was read. Payloads that are
    /// not OTP codes (a website's QR code in the same frame) are counted and left out.
    pub fn offer<S: AsRef<str>>(&mut self, payloads: &[S]) -> bool {
        let mut changed = false;
        for p in payloads {
            let p = p.as_ref();
            if !intake::is_otp_payload(p) {
                self.others += 1;
                continue;
            }
            if self.texts.iter().any(|t| t == p) {
                continue;
            }
            if migration::is_migration_uri(p) {
                // Batch fields only; the accounts are converted once, at import. A payload
                // that does not parse is still kept: the import preview names its problem.
                if let Ok(batch) = migration::decode(p, 0) {
                    let size = usize::try_from(batch.batch_size).unwrap_or(0).max(1);
                    let index = usize::try_from(batch.batch_index).unwrap_or(0);
                    let entry = self
                        .batches
                        .entry(batch.batch_id)
                        .or_insert_with(|| (size, BTreeSet::new()));
                    entry.0 = entry.0.max(size);
                    entry.1.insert(index.min(entry.0 - 1));
                }
            }
            self.texts.push(p.to_string());
            changed = true;
        }
        changed
    }

    /// Where the scan stands.
    pub fn progress(&self) -> Progress {
        let expected: usize = self.batches.values().map(|(size, _)| *size).sum();
        let seen: usize = self.batches.values().map(|(_, seen)| seen.len()).sum();
        let singles = self.texts.len() - self.batch_payloads();
        let complete = !self.texts.is_empty() && seen >= expected;
        Progress {
            scanned: self.texts.len(),
            expected: (!self.batches.is_empty()).then_some(expected + singles),
            complete,
        }
    }

    /// How many non-OTP QR codes were seen (for "found a QR code, but not a 2FA one").
    pub fn other_codes(&self) -> usize {
        self.others
    }

    /// The payloads read, in order; the collector is left empty.
    pub fn take(&mut self) -> Vec<String> {
        self.batches.clear();
        std::mem::take(&mut self.texts)
    }

    fn batch_payloads(&self) -> usize {
        self.batches.values().map(|(_, seen)| seen.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Account, Kind, Period};
    use crate::secret::SecretBytes;

    fn account(i: u8) -> Account {
        let kind = Kind::Totp {
            period: Period::THIRTY,
        };
        Account::new(
            format!("Site{i}"),
            format!("user{i}"),
            SecretBytes::new(vec![i; 10]),
            kind,
            0,
        )
    }

    #[test]
    fn one_otpauth_uri_completes_a_scan() {
        let mut c = Collector::new();
        assert!(!c.progress().complete);
        assert!(!c.offer(&["https://example.com"]));
        assert_eq!(c.other_codes(), 1);
        assert!(!c.progress().complete, "a website's QR code is no result");
        assert!(c.offer(&["otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"]));
        assert!(
            !c.offer(&["otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"]),
            "seen"
        );
        let p = c.progress();
        assert_eq!((p.scanned, p.expected, p.complete), (1, None, true));
    }

    #[test]
    fn a_transfer_batch_completes_when_every_code_is_read_in_any_order() {
        let accounts: Vec<Account> = (1..=25).map(account).collect();
        let refs: Vec<&Account> = accounts.iter().collect();
        let uris = migration::encode(&refs, -7).unwrap();
        assert!(uris.len() >= 2, "the batch spans several codes");
        let n = uris.len();
        let mut c = Collector::new();
        // Last first, then the first one twice (a camera sees the same code for many frames).
        c.offer(&[uris[n - 1].expose()]);
        let p = c.progress();
        assert_eq!((p.scanned, p.expected, p.complete), (1, Some(n), false));
        c.offer(&[uris[0].expose()]);
        c.offer(&[uris[0].expose()]);
        assert_eq!(c.progress().scanned, 2);
        for u in &uris[1..n - 1] {
            assert!(!c.progress().complete);
            c.offer(&[u.expose()]);
        }
        let p = c.progress();
        assert_eq!((p.scanned, p.expected, p.complete), (n, Some(n), true));
        let texts = c.take();
        assert_eq!(texts.len(), n);
        assert!(format!("{c:?}").starts_with("Collector(0 payloads"));
    }
}
