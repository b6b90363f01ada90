//! Merging copies of one vault edited on several computers (issue 13): the rules, as a
//! state-based CRDT.
//!
//! A folder-sync tool (Syncthing, Nextcloud, Dropbox…) cannot merge an encrypted file: when two
//! computers save while apart, it keeps one and leaves the other beside it as a conflict copy.
//! Twofold opens both and merges them with the rules here, which make any set of copies,
//! merged in any order, any number of times, end as the same vault (merge is commutative,
//! associative and idempotent: each field is a join-semilattice, see the property tests).
//!
//! The rules, field by field, and what they guarantee are in `docs/sync.md` ("The merge
//! rules"): last writer wins by [`Stamp`] for an account's fields and its position, the highest
//! HOTP counter, the latest use, recovery codes kept while added after their last removal with
//! used marks unioned, and deletions as tombstones that a later edit overrides.
//!
//! A [`Stamp`] is a hybrid logical clock reading (wall-clock milliseconds, a counter, the
//! device): it follows the wall clock when clocks agree, and still orders an edit after every
//! stamp its device has seen when a clock is behind, so a computer with a wrong clock cannot
//! undo newer edits made elsewhere that it has already merged.
//!
//! Not wired into the vault file yet: the vault format's version 2 (stamps and tombstones in
//! the payload), conflict-copy discovery and the Syncthing test are the rest of issue 13.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::account::{Account, AccountId, Kind, RecoveryCode};
use crate::secret::SecretString;

/// A hybrid logical clock reading; totally ordered (wall time, then counter, then device).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Milliseconds since the Unix epoch, or later when the device has seen later stamps.
    pub wall_ms: u64,
    /// Orders stamps within one millisecond.
    pub counter: u32,
    /// The device (session) that made it, random, so two devices never make equal stamps.
    pub device: u64,
}

/// One device's hybrid logical clock.
#[derive(Debug, Clone)]
pub struct Clock {
    device: u64,
    last: Stamp,
}

impl Clock {
    /// A clock for `device` that has seen nothing.
    pub fn new(device: u64) -> Self {
        Clock {
            device,
            last: Stamp {
                device,
                ..Stamp::default()
            },
        }
    }

    /// A stamp later than every stamp this clock made or observed; `now_ms` is the wall clock.
    pub fn tick(&mut self, now_ms: u64) -> Stamp {
        let next = if now_ms > self.last.wall_ms {
            Stamp {
                wall_ms: now_ms,
                counter: 0,
                device: self.device,
            }
        } else {
            Stamp {
                wall_ms: self.last.wall_ms,
                counter: self.last.counter.saturating_add(1),
                device: self.device,
            }
        };
        self.last = next;
        next
    }

    /// Takes in a stamp seen in a merged copy, so that the next tick is later than it.
    pub fn observe(&mut self, seen: Stamp) {
        if (seen.wall_ms, seen.counter) > (self.last.wall_ms, self.last.counter) {
            self.last = Stamp {
                wall_ms: seen.wall_ms,
                counter: seen.counter,
                device: self.device,
            };
        }
    }
}

/// A value with the stamp of its last write; merges to the later one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lww<T> {
    at: Stamp,
    value: T,
}

impl<T: Clone> Lww<T> {
    fn merge(&mut self, other: &Lww<T>) {
        // Equal stamps come from the same write (one device never reuses a stamp).
        if other.at > self.at {
            *self = other.clone();
        }
    }
}

/// One recovery code's merge state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Code {
    added: Stamp,
    removed: Option<Stamp>,
    used: bool,
    used_at: Option<i64>,
}

impl Code {
    fn alive(&self) -> bool {
        self.removed.is_none_or(|r| self.added > r)
    }

    fn merge(&mut self, other: &Code) {
        self.added = self.added.max(other.added);
        self.removed = self.removed.max(other.removed);
        self.used |= other.used;
        self.used_at = self.used_at.max(other.used_at);
    }
}

/// One account's merge state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    /// The fields merged as one last-writer-wins value: the account without its order, HOTP
    /// counter, recovery codes and last use (those have rules of their own).
    body: Lww<Account>,
    order: Lww<i64>,
    counter: u64,
    last_used_at: Option<i64>,
    /// Recovery codes by their text.
    codes: BTreeMap<String, Code>,
    deleted: Option<Stamp>,
}

impl Record {
    fn alive(&self) -> bool {
        self.deleted.is_none_or(|d| self.body.at > d)
    }

    fn merge(&mut self, other: &Record) {
        self.body.merge(&other.body);
        self.order.merge(&other.order);
        self.counter = self.counter.max(other.counter);
        self.last_used_at = self.last_used_at.max(other.last_used_at);
        for (text, code) in &other.codes {
            match self.codes.get_mut(text) {
                Some(mine) => mine.merge(code),
                None => {
                    self.codes.insert(text.clone(), code.clone());
                }
            }
        }
        self.deleted = self.deleted.max(other.deleted);
    }

    /// The account as a user sees it.
    fn account(&self) -> Account {
        let mut a = self.body.value.clone();
        a.order = self.order.value;
        a.last_used_at = self.last_used_at;
        if let Kind::Hotp { counter } = &mut a.kind {
            *counter = self.counter;
        }
        a.recovery_codes = self
            .codes
            .iter()
            .filter(|(_, c)| c.alive())
            .map(|(text, c)| RecoveryCode {
                code: SecretString::new(text.clone()),
                used: c.used,
                used_at: c.used_at,
            })
            .collect();
        a
    }
}

/// The fields of `a` that merge as one value (see [`Record::body`]).
fn body_of(a: &Account) -> Account {
    let mut body = a.clone();
    body.order = 0;
    body.last_used_at = None;
    body.recovery_codes = Vec::new();
    if let Kind::Hotp { counter } = &mut body.kind {
        *counter = 0;
    }
    body
}

/// A vault's accounts with everything needed to merge them with another copy's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replica {
    records: BTreeMap<String, Record>,
}

impl Replica {
    /// An empty replica.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `account` as added or edited at `at`: each field group takes the stamp only if
    /// it changed, so saving an unchanged account does not win over edits made elsewhere.
    pub fn put(&mut self, account: &Account, at: Stamp) {
        let body = body_of(account);
        let counter = match account.kind {
            Kind::Hotp { counter } => counter,
            _ => 0,
        };
        let record = self
            .records
            .entry(account.id.0.clone())
            .or_insert_with(|| Record {
                body: Lww {
                    at,
                    value: body.clone(),
                },
                order: Lww {
                    at,
                    value: account.order,
                },
                counter,
                last_used_at: account.last_used_at,
                codes: BTreeMap::new(),
                deleted: None,
            });
        if record.body.value != body || !record.alive() {
            record.body = Lww { at, value: body };
        }
        if record.order.value != account.order {
            record.order = Lww {
                at,
                value: account.order,
            };
        }
        record.counter = record.counter.max(counter);
        record.last_used_at = record.last_used_at.max(account.last_used_at);
        for rc in &account.recovery_codes {
            let text = rc.code.expose();
            match record.codes.get_mut(text) {
                Some(code) => {
                    if !code.alive() {
                        code.added = at;
                    }
                    code.used |= rc.used;
                    code.used_at = code.used_at.max(rc.used_at);
                }
                None => {
                    record.codes.insert(
                        text.to_owned(),
                        Code {
                            added: at,
                            removed: None,
                            used: rc.used,
                            used_at: rc.used_at,
                        },
                    );
                }
            }
        }
        for (text, code) in &mut record.codes {
            let kept = account
                .recovery_codes
                .iter()
                .any(|rc| rc.code.expose() == text);
            if !kept && code.alive() {
                code.removed = Some(at);
            }
        }
    }

    /// Records the account `id` as deleted at `at`.
    pub fn delete(&mut self, id: &AccountId, at: Stamp) {
        if let Some(record) = self.records.get_mut(&id.0) {
            record.deleted = record.deleted.max(Some(at));
        }
    }

    /// Merges another copy into this one.
    pub fn merge(&mut self, other: &Replica) {
        for (id, record) in &other.records {
            match self.records.get_mut(id) {
                Some(mine) => mine.merge(record),
                None => {
                    self.records.insert(id.clone(), record.clone());
                }
            }
        }
    }

    /// The latest stamp in this copy (for [`Clock::observe`] after a merge).
    pub fn latest(&self) -> Stamp {
        let mut latest = Stamp::default();
        for r in self.records.values() {
            latest = latest.max(r.body.at).max(r.order.at);
            latest = latest.max(r.deleted.unwrap_or_default());
            for c in r.codes.values() {
                latest = latest.max(c.added).max(c.removed.unwrap_or_default());
            }
        }
        latest
    }

    /// The accounts that are not deleted, in the manual order (ties by id).
    pub fn accounts(&self) -> Vec<Account> {
        let mut out: Vec<Account> = self
            .records
            .values()
            .filter(|r| r.alive())
            .map(Record::account)
            .collect();
        out.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.0.cmp(&b.id.0)));
        out
    }
}

/// Which sync tool's naming a copy of the vault carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyKind {
    /// `NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT`
    Syncthing,
    /// `NAME (conflicted copy YYYY-MM-DD HHMMSS).EXT` (Nextcloud and ownCloud)
    Nextcloud,
    /// `NAME (DEVICE's conflicted copy YYYY-MM-DD).EXT`, maybe with ` (N)` after it
    Dropbox,
    /// `NAME-DEVICE.EXT`
    OneDrive,
    /// Any other name: the file's header carries this vault's id.
    SameVault,
}

impl std::fmt::Display for CopyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CopyKind::Syncthing => "Syncthing conflict copy",
            CopyKind::Nextcloud => "Nextcloud conflict copy",
            CopyKind::Dropbox => "Dropbox conflict copy",
            CopyKind::OneDrive => "OneDrive conflict copy",
            CopyKind::SameVault => "same vault id",
        })
    }
}

/// `s` is `n` ASCII digits.
fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `s` is a date as `YYYY-MM-DD` (digits only checked).
fn is_ymd(s: &str) -> bool {
    let ymd: Vec<&str> = s.split('-').collect();
    ymd.len() == 3 && digits(ymd[0], 4) && digits(ymd[1], 2) && digits(ymd[2], 2)
}

/// Splits a file name into stem and extension (with its dot; empty when there is none).
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

/// Which sync tool, by its naming, made `candidate` as a conflict copy of the vault file
/// `vault` (both file names, no folders); `None` for any other name.
pub fn conflict_kind(vault: &str, candidate: &str) -> Option<CopyKind> {
    let (stem, ext) = split_ext(vault);
    let middle = candidate.strip_prefix(stem)?.strip_suffix(ext)?;
    // Syncthing: ".sync-conflict-20261207-101500-ABCDEFG"
    if let Some(rest) = middle.strip_prefix(".sync-conflict-") {
        let mut parts = rest.splitn(3, '-');
        let (date, time, device) = (parts.next()?, parts.next()?, parts.next()?);
        return (digits(date, 8) && digits(time, 6) && !device.is_empty())
            .then_some(CopyKind::Syncthing);
    }
    if let Some(rest) = middle.strip_prefix(" (") {
        // Nextcloud: " (conflicted copy 2026-12-07 101500)"
        if let Some(when) = rest
            .strip_prefix("conflicted copy ")
            .and_then(|r| r.strip_suffix(')'))
        {
            let (date, time) = when.split_once(' ')?;
            return (is_ymd(date) && digits(time, 6)).then_some(CopyKind::Nextcloud);
        }
        // Dropbox: " (laptop's conflicted copy 2026-12-07)", maybe then " (1)"
        let (inner, after) = rest.split_once(')')?;
        let (_, date) = inner.split_once("'s conflicted copy ")?;
        let after_ok = after.is_empty()
            || after
                .strip_prefix(" (")
                .and_then(|a| a.strip_suffix(')'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        return (is_ymd(date) && after_ok).then_some(CopyKind::Dropbox);
    }
    // OneDrive: "-LAPTOP" (a computer name: no dots, no path separators, no spaces at the ends)
    let device = middle.strip_prefix('-')?;
    let ok = !device.is_empty()
        && device.trim() == device
        && !device.contains(['.', '/', '\\'])
        // Our own files beside the vault are not copies.
        && !device.starts_with("gen")
        && !device.starts_with("tmp");
    ok.then_some(CopyKind::OneDrive)
}

/// The other copies of the vault at `vault` in its folder: files named as a sync tool names
/// a conflict copy of it, and any other file whose header carries the same vault id as
/// `vault`'s (none when `vault` itself has no readable header). Each is read
/// only as far as its header (2 KiB), and only if it is a regular file under 64 MiB; a file named as
/// a copy whose header is another vault's (or no vault's) is left alone. Our own files beside
/// the vault (generations, the lock, temporary and damaged files) are never copies.
///
/// # Errors
/// The folder cannot be listed.
pub fn find_copies(vault: &Path) -> std::io::Result<Vec<(PathBuf, CopyKind)>> {
    const MAX_COPY: u64 = 64 * 1024 * 1024;
    let Some(vault_id) = read_vault_id(vault) else {
        return Ok(Vec::new());
    };
    let Some(name) = vault.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let dir = crate::vault::parent_dir(vault);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let Some(other) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if crate::vault::is_own_file(name, &other) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_COPY {
            continue;
        }
        let same_vault = read_vault_id(&entry.path()).is_some_and(|id| id == vault_id);
        if !same_vault {
            continue;
        }
        let kind = conflict_kind(name, &other).unwrap_or(CopyKind::SameVault);
        out.push((entry.path(), kind));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The vault id in a file's header, if the file is a Twofold vault.
fn read_vault_id(path: &Path) -> Option<[u8; 16]> {
    use std::io::Read as _;
    // The prefix, the header (at most 1 KiB) and its checksum.
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(2048)
        .read_to_end(&mut head)
        .ok()?;
    crate::vault::format::parse_header_id(&head)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::account::Period;
    use crate::secret::SecretBytes;

    const DEVICES: usize = 3;
    const IDS: u8 = 5;

    fn account(id: u8, hotp: bool) -> Account {
        let kind = if hotp {
            Kind::Hotp { counter: 0 }
        } else {
            Kind::Totp {
                period: Period::THIRTY,
            }
        };
        let mut a = Account::new(
            format!("Site{id}"),
            "user",
            SecretBytes::new(vec![id; 10]),
            kind,
            0,
        );
        a.id = AccountId(format!("id-{id}"));
        a
    }

    /// One step of a random history.
    #[derive(Debug, Clone)]
    enum Op {
        /// Device `d` adds account `id` (or edits it back to its first state).
        Add { d: usize, id: u8, hotp: bool },
        /// Device `d` renames account `id` (if it has it).
        Rename { d: usize, id: u8, name: u8 },
        /// Device `d` shows the next HOTP code (counter + 1).
        Hotp { d: usize, id: u8 },
        /// Device `d` adds recovery code `code`, or marks it used when it has it.
        Code { d: usize, id: u8, code: u8 },
        /// Device `d` removes recovery code `code`.
        DropCode { d: usize, id: u8, code: u8 },
        /// Device `d` moves account `id` to position `to`.
        Move { d: usize, id: u8, to: i64 },
        /// Device `d` deletes account `id`.
        Delete { d: usize, id: u8 },
        /// Device `to` merges device `from`'s copy (the sync tool delivered it).
        Sync { from: usize, to: usize },
        /// The wall clock moves by `ms` on device `d` (may stay behind the others).
        Time { d: usize, ms: u16 },
    }

    fn op() -> impl Strategy<Value = Op> {
        let d = 0..DEVICES;
        let id = 0..IDS;
        prop_oneof![
            (d.clone(), id.clone(), any::<bool>()).prop_map(|(d, id, hotp)| Op::Add {
                d,
                id,
                hotp
            }),
            (d.clone(), id.clone(), 0..4u8).prop_map(|(d, id, name)| Op::Rename { d, id, name }),
            (d.clone(), id.clone()).prop_map(|(d, id)| Op::Hotp { d, id }),
            (d.clone(), id.clone(), 0..3u8).prop_map(|(d, id, code)| Op::Code { d, id, code }),
            (d.clone(), id.clone(), 0..3u8).prop_map(|(d, id, code)| Op::DropCode { d, id, code }),
            (d.clone(), id.clone(), -3..3i64).prop_map(|(d, id, to)| Op::Move { d, id, to }),
            (d.clone(), id.clone()).prop_map(|(d, id)| Op::Delete { d, id }),
            (d.clone(), 0..DEVICES).prop_map(|(from, to)| Op::Sync { from, to }),
            (d, 0..2000u16).prop_map(|(d, ms)| Op::Time { d, ms }),
        ]
    }

    /// A device: its copy, its clock and its wall time.
    struct Device {
        replica: Replica,
        clock: Clock,
        now: u64,
    }

    impl Device {
        /// Edits account `id` through what the user sees, as the vault would.
        fn edit(&mut self, id: u8, f: impl FnOnce(&mut Account)) -> bool {
            let Some(mut a) = self
                .replica
                .accounts()
                .into_iter()
                .find(|a| a.id.0 == format!("id-{id}"))
            else {
                return false;
            };
            f(&mut a);
            let at = self.clock.tick(self.now);
            self.replica.put(&a, at);
            true
        }
    }

    /// What a history did: the devices after it, the highest HOTP counter each account
    /// showed, and the recovery codes marked used (account, code).
    type History = (Vec<Device>, BTreeMap<u8, u64>, Vec<(u8, u8)>);

    /// Runs `ops` on fresh devices.
    fn run(ops: &[Op]) -> History {
        let mut devices: Vec<Device> = (0..DEVICES)
            .map(|d| Device {
                replica: Replica::new(),
                clock: Clock::new(d as u64 + 1),
                // Clocks that disagree by up to a second.
                now: 1_000_000 + d as u64 * 333,
            })
            .collect();
        let mut highest = BTreeMap::new();
        let mut used = Vec::new();
        for op in ops {
            match *op {
                Op::Add { d, id, hotp } => {
                    let dev = &mut devices[d];
                    if !dev.edit(id, |_| {}) {
                        let at = dev.clock.tick(dev.now);
                        dev.replica.put(&account(id, hotp), at);
                    }
                }
                Op::Rename { d, id, name } => {
                    devices[d].edit(id, |a| a.name = format!("name{name}"));
                }
                Op::Hotp { d, id } => {
                    devices[d].edit(id, |a| {
                        if let Kind::Hotp { counter } = &mut a.kind {
                            *counter += 1;
                            let h = highest.entry(id).or_insert(0);
                            *h = (*h).max(*counter);
                        }
                    });
                }
                Op::Code { d, id, code } => {
                    let now = devices[d].now as i64;
                    devices[d].edit(id, |a| {
                        let text = format!("code-{code}");
                        match a
                            .recovery_codes
                            .iter_mut()
                            .find(|c| c.code.expose() == text)
                        {
                            Some(c) => {
                                c.used = true;
                                c.used_at = Some(now);
                                used.push((id, code));
                            }
                            None => a.recovery_codes.push(RecoveryCode {
                                code: SecretString::new(text),
                                used: false,
                                used_at: None,
                            }),
                        }
                    });
                }
                Op::DropCode { d, id, code } => {
                    devices[d].edit(id, |a| {
                        a.recovery_codes
                            .retain(|c| c.code.expose() != format!("code-{code}"));
                    });
                }
                Op::Move { d, id, to } => {
                    devices[d].edit(id, |a| a.order = to);
                }
                Op::Delete { d, id } => {
                    let dev = &mut devices[d];
                    let at = dev.clock.tick(dev.now);
                    dev.replica.delete(&AccountId(format!("id-{id}")), at);
                }
                Op::Sync { from, to } => {
                    let copy = devices[from].replica.clone();
                    let dev = &mut devices[to];
                    dev.replica.merge(&copy);
                    dev.clock.observe(copy.latest());
                }
                Op::Time { d, ms } => devices[d].now += u64::from(ms),
            }
        }
        (devices, highest, used)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any histories on 3 devices, then every device merges every copy, in a different
        /// order on each: all end with the same accounts; no HOTP counter went back; a code
        /// marked used anywhere is used everywhere it still exists.
        #[test]
        fn replicas_converge_after_any_history(ops in prop::collection::vec(op(), 0..80)) {
            let (devices, highest, used) = run(&ops);
            let copies: Vec<Replica> = devices.iter().map(|d| d.replica.clone()).collect();
            let mut results = Vec::new();
            for start in 0..DEVICES {
                let mut r = copies[start].clone();
                // Rotations and one reversal: different merge orders.
                for k in 1..=DEVICES {
                    r.merge(&copies[(start + k) % DEVICES]);
                }
                results.push(r.accounts());
                let mut back = copies[start].clone();
                for k in (0..DEVICES).rev() {
                    back.merge(&copies[k]);
                }
                prop_assert_eq!(&back.accounts(), &results[start]);
            }
            for r in &results[1..] {
                prop_assert_eq!(r, &results[0]);
            }
            for a in &results[0] {
                let id: u8 = a.id.0.trim_start_matches("id-").parse().unwrap();
                if let Kind::Hotp { counter } = a.kind {
                    prop_assert!(counter >= highest.get(&id).copied().unwrap_or(0),
                        "the HOTP counter of {} went back", a.id.0);
                }
                for (uid, code) in &used {
                    if *uid == id {
                        let text = format!("code-{code}");
                        if let Some(c) = a.recovery_codes.iter().find(|c| c.code.expose() == text) {
                            prop_assert!(c.used, "{text} of {} lost its used mark", a.id.0);
                        }
                    }
                }
            }
        }

        /// Merge itself is commutative, associative and idempotent on any reachable copies.
        #[test]
        fn merge_is_a_join(ops in prop::collection::vec(op(), 0..60)) {
            let (devices, _, _) = run(&ops);
            let [a, b, c] = [0, 1, 2].map(|i| devices[i].replica.clone());
            let join = |x: &Replica, y: &Replica| {
                let mut z = x.clone();
                z.merge(y);
                z
            };
            prop_assert_eq!(join(&a, &b), join(&b, &a));
            prop_assert_eq!(join(&join(&a, &b), &c), join(&a, &join(&b, &c)));
            prop_assert_eq!(join(&a, &a), a.clone());
            prop_assert_eq!(join(&join(&a, &b), &b), join(&a, &b));
        }
    }

    #[test]
    fn an_offline_edit_survives_and_a_deletion_propagates() {
        let mut clock_a = Clock::new(1);
        let mut clock_b = Clock::new(2);
        let mut a = Replica::new();
        let x = account(1, false);
        let y = account(2, true);
        a.put(&x, clock_a.tick(1000));
        a.put(&y, clock_a.tick(1000));
        let mut b = a.clone();
        clock_b.observe(b.latest());
        // Apart: A renames x; B deletes y and advances nothing else; B's clock is behind.
        let mut x2 = x.clone();
        x2.name = "renamed on A".into();
        a.put(&x2, clock_a.tick(5000));
        b.delete(&y.id, clock_b.tick(900));
        let mut merged = a.clone();
        merged.merge(&b);
        let accounts = merged.accounts();
        assert_eq!(accounts.len(), 1, "y's deletion propagated");
        assert_eq!(accounts[0].name, "renamed on A");
        // A clock behind the others still orders B's next edit after what it merged.
        let mut b2 = b.clone();
        b2.merge(&a);
        clock_b.observe(b2.latest());
        let mut x3 = b2.accounts()[0].clone();
        x3.name = "renamed on B after merging".into();
        let at = clock_b.tick(900);
        assert!(at > merged.latest(), "{at:?}");
        b2.put(&x3, at);
        merged.merge(&b2);
        assert_eq!(merged.accounts()[0].name, "renamed on B after merging");
    }

    #[test]
    fn conflict_copies_are_recognised_by_each_tools_naming() {
        let v = "vault.twofold";
        let cases = [
            (
                "vault.sync-conflict-20261207-101500-ABCDEFG.twofold",
                Some(CopyKind::Syncthing),
            ),
            (
                "vault (conflicted copy 2026-12-07 101500).twofold",
                Some(CopyKind::Nextcloud),
            ),
            (
                "vault (laptop's conflicted copy 2026-12-07).twofold",
                Some(CopyKind::Dropbox),
            ),
            (
                "vault (Alice's MacBook's conflicted copy 2026-12-07) (2).twofold",
                Some(CopyKind::Dropbox),
            ),
            ("vault-LAPTOP.twofold", Some(CopyKind::OneDrive)),
            ("vault-DESKTOP-7QK2R.twofold", Some(CopyKind::OneDrive)),
            // Not copies: the vault itself, other files, our own files beside it.
            ("vault.twofold", None),
            ("other.twofold", None),
            ("vault.twofold.gen-3", None),
            ("vault.sync-conflict-2026-101500-A.twofold", None),
            ("vault (conflicted copy 2026-12-07).twofold", None),
            ("vault (laptop's conflicted copy 7 Dec).twofold", None),
            ("vault-.twofold", None),
            ("vault-gen-2.twofold", None),
            ("vault.twofold.sync-conflict-20261207-101500-ABCDEFG", None),
        ];
        for (name, kind) in cases {
            assert_eq!(conflict_kind(v, name), kind, "{name}");
        }
        // A vault file without an extension.
        assert_eq!(
            conflict_kind("vault", "vault.sync-conflict-20261207-101500-ABCDEFG"),
            Some(CopyKind::Syncthing)
        );
        assert_eq!(
            conflict_kind("vault", "vault-LAPTOP"),
            Some(CopyKind::OneDrive)
        );
    }

    #[test]
    fn the_hlc_follows_the_wall_clock_and_never_goes_back() {
        let mut c = Clock::new(7);
        let s1 = c.tick(100);
        let s2 = c.tick(50);
        assert!(s2 > s1, "a clock set back still moves forward");
        assert_eq!(s2.wall_ms, 100);
        let s3 = c.tick(200);
        assert_eq!((s3.wall_ms, s3.counter), (200, 0));
        c.observe(Stamp {
            wall_ms: 999,
            counter: 4,
            device: 1,
        });
        let s4 = c.tick(300);
        assert_eq!((s4.wall_ms, s4.counter, s4.device), (999, 5, 7));
    }
}
