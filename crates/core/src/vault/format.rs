//! The byte layout of a vault file, format versions 1 and 2 (`docs/vault.md` §2–§3): encoding
//! and strict parsing of the header and the framing around the ciphertext. Version 2 adds to
//! every slot the slot's X25519 public key and the ephemeral key its data key was sealed with
//! (§3, §4.2); everything else is laid out as in version 1.
//!
//! Parsing follows age's rules (`docs/reference/security-brief.md` §3.1): the magic and version are
//! checked first, every length is exact, slots come in one canonical order, unknown slot
//! types and trailing bytes are rejected, KDF parameters are bounded before anything is
//! allocated, and a SHA-256 of the header catches accidental damage before any key is
//! looked up. No cryptographic key is used here: authentication is `file.rs`'s job.

use super::crypto::{self, NONCE_LEN, SALT_LEN, TAG_LEN, WRAPPED_LEN};
use super::{KdfParams, SlotKind};

/// The file's first 8 bytes.
pub const MAGIC: &[u8; 8] = b"TWOFOLDV";
/// The format version new vaults and credential changes write (`docs/vault.md` §8).
pub const VERSION: u16 = 2;
/// The oldest format version this build reads (and keeps writing for ordinary saves until a
/// credential change upgrades the file).
pub const MIN_VERSION: u16 = 1;
/// Bytes before the header body: magic, version, header length.
pub const PREFIX_LEN: usize = 8 + 2 + 4;
/// Header checksum length (SHA-256).
pub const CHECKSUM_LEN: usize = 32;
/// Fixed part of the header body: vault id, generation, payload salt, payload nonce,
/// key commitment, slot count.
pub const FIXED_HEADER_LEN: usize = 16 + 8 + SALT_LEN + NONCE_LEN + 32 + 1;
/// Largest header body accepted (four version 2 slots fit in 817 bytes).
pub const MAX_HEADER_LEN: usize = 1024;

/// What a format 2 slot adds: the slot's X25519 public key and the ephemeral public key of
/// the last sealing of the data key to it (`docs/vault.md` §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    /// `X25519(HKDF(credential, salt, label))` public key: re-sealing a new data key to the
    /// slot needs only this, never the slot's credential.
    pub public: [u8; 32],
    /// The ephemeral public key of this wrap.
    pub ephemeral: [u8; 32],
}
/// Largest vault file accepted (10,000 accounts take about 3 MiB).
pub const MAX_FILE_LEN: u64 = 64 * 1024 * 1024;

/// One key slot as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Slot {
    /// What unlocks it.
    pub kind: SlotKind,
    /// Random id, part of the wrapping AAD.
    pub id: [u8; 16],
    /// Salt for HKDF and, for password kinds, Argon2id.
    pub salt: [u8; SALT_LEN],
    /// Argon2id parameters (password kinds only).
    pub kdf: Option<KdfParams>,
    /// Format 2 only: the keys of the X25519 sealing (`None` in a format 1 slot).
    pub sealed: Option<Sealed>,
    /// Nonce of the DEK wrap.
    pub wrap_nonce: [u8; NONCE_LEN],
    /// The wrapped DEK.
    pub wrapped: [u8; WRAPPED_LEN],
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("kind", &self.kind)
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

impl Slot {
    /// Encodes the slot's fields up to (not including) the wrap nonce: the part bound into
    /// the wrapping AAD.
    fn encode_params(&self, out: &mut Vec<u8>) {
        out.push(self.kind.code());
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&self.salt);
        if let Some(k) = self.kdf {
            out.extend_from_slice(&k.m_kib.to_be_bytes());
            out.extend_from_slice(&k.t.to_be_bytes());
            out.extend_from_slice(&k.p.to_be_bytes());
        }
        if let Some(s) = &self.sealed {
            out.extend_from_slice(&s.public);
            out.extend_from_slice(&s.ephemeral);
        }
    }

    /// `label ‖ vault_id ‖ type ‖ slot_id ‖ salt ‖ [m ‖ t ‖ p] ‖ [public ‖ ephemeral]`, with
    /// the slot label of the format version (a format 2 slot has the sealing keys).
    pub fn aad(&self, vault_id: &[u8; 16]) -> Vec<u8> {
        let version = if self.sealed.is_some() { 2 } else { 1 };
        let prefix = crypto::label::slot_aad(version);
        let mut aad = Vec::with_capacity(prefix.len() + 16 + 128);
        aad.extend_from_slice(prefix);
        aad.extend_from_slice(vault_id);
        self.encode_params(&mut aad);
        aad
    }

    fn encoded_len(kind: SlotKind, version: u16) -> usize {
        let sealed = if version >= 2 { 64 } else { 0 };
        1 + 16 + SALT_LEN + if kind.has_kdf() { 12 } else { 0 } + sealed + NONCE_LEN + WRAPPED_LEN
    }
}

/// The decoded header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The format version ([`MIN_VERSION`] ..= [`VERSION`]); it fixes every algorithm and
    /// label, and whether slots are sealed.
    pub version: u16,
    /// Random id of the vault; names its keychain entry.
    pub vault_id: [u8; 16],
    /// Incremented by every save.
    pub generation: u64,
    /// HKDF salt of this save's payload key.
    pub payload_salt: [u8; SALT_LEN],
    /// GCM nonce of this save's payload.
    pub payload_nonce: [u8; NONCE_LEN],
    /// HMAC key commitment to the DEK.
    pub commitment: [u8; 32],
    /// Key slots, sorted by kind.
    pub slots: Vec<Slot>,
}

/// A parse failure: what was wrong, in words that carry no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Structure or lengths are wrong.
    Malformed(String),
    /// The version field is outside [`MIN_VERSION`] ..= [`VERSION`].
    Version(u16),
    /// The header checksum does not match.
    Checksum,
    /// KDF parameters outside the accepted bounds.
    Kdf(KdfParams),
}

/// A parsed file: header plus where the pieces are.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// The header.
    pub header: Header,
    /// Everything before the ciphertext: the payload AAD.
    pub aad: &'a [u8],
    /// The ciphertext (without tag).
    pub ciphertext: &'a [u8],
    /// The GCM tag.
    pub tag: [u8; TAG_LEN],
}

impl Header {
    /// Encodes the header body (what `header_len` counts).
    pub fn encode_body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_HEADER_LEN);
        out.extend_from_slice(&self.vault_id);
        out.extend_from_slice(&self.generation.to_be_bytes());
        out.extend_from_slice(&self.payload_salt);
        out.extend_from_slice(&self.payload_nonce);
        out.extend_from_slice(&self.commitment);
        // Invariant: a vault has at most one slot of each of the four kinds.
        out.push(u8::try_from(self.slots.len()).expect("at most 4 slots"));
        for s in &self.slots {
            s.encode_params(&mut out);
            out.extend_from_slice(&s.wrap_nonce);
            out.extend_from_slice(&s.wrapped);
        }
        out
    }

    /// Everything before the ciphertext: prefix, body and checksum. This is the payload AAD.
    pub fn encode_prefix(&self) -> Vec<u8> {
        let body = self.encode_body();
        let mut out = Vec::with_capacity(PREFIX_LEN + body.len() + CHECKSUM_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.version.to_be_bytes());
        // Invariant: the body is at most MAX_HEADER_LEN bytes.
        out.extend_from_slice(
            &u32::try_from(body.len())
                .expect("small header")
                .to_be_bytes(),
        );
        out.extend_from_slice(&body);
        let sum = crypto::sha256(&out);
        out.extend_from_slice(&sum);
        out
    }
}

/// A cursor that only hands out exact-length pieces.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ParseError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| ParseError::Malformed(format!("header ends inside the {what}")))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ParseError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u32(&mut self, what: &str) -> Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }
}

/// Reads only the prefix: the magic and the version, which it returns. Used to report the
/// version of a file we cannot otherwise parse.
pub fn check_magic_and_version(bytes: &[u8]) -> Result<u16, ParseError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(ParseError::Malformed(
            "not a twofold vault (bad magic bytes)".into(),
        ));
    }
    if bytes.len() < 10 {
        return Err(ParseError::Malformed(
            "file ends inside the version field".into(),
        ));
    }
    let version = u16::from_be_bytes([bytes[8], bytes[9]]);
    if !(MIN_VERSION..=VERSION).contains(&version) {
        return Err(ParseError::Version(version));
    }
    Ok(version)
}

/// Parses a whole file strictly. Crypto is left to the caller.
pub fn parse(bytes: &[u8]) -> Result<Parsed<'_>, ParseError> {
    let version = check_magic_and_version(bytes)?;
    if bytes.len() < PREFIX_LEN {
        return Err(ParseError::Malformed(
            "file ends inside the header length".into(),
        ));
    }
    let header_len = u32::from_be_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    if !(FIXED_HEADER_LEN..=MAX_HEADER_LEN).contains(&header_len) {
        return Err(ParseError::Malformed(format!(
            "header length {header_len} is out of range, expected {FIXED_HEADER_LEN} to {MAX_HEADER_LEN}"
        )));
    }
    let aad_len = PREFIX_LEN + header_len + CHECKSUM_LEN;
    if bytes.len() < aad_len + TAG_LEN {
        return Err(ParseError::Malformed(format!(
            "file is {} bytes, too short for a {header_len}-byte header and a tag",
            bytes.len()
        )));
    }
    // Checksum before structure: accidental damage is reported as such, and nothing below
    // interprets bytes that are known to be corrupt.
    let sum = crypto::sha256(&bytes[..PREFIX_LEN + header_len]);
    if !crypto::ct_eq(&sum, &bytes[PREFIX_LEN + header_len..aad_len]) {
        return Err(ParseError::Checksum);
    }
    let header = parse_body(&bytes[PREFIX_LEN..PREFIX_LEN + header_len], version)?;
    let ct_end = bytes.len() - TAG_LEN;
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&bytes[ct_end..]);
    Ok(Parsed {
        header,
        aad: &bytes[..aad_len],
        ciphertext: &bytes[aad_len..ct_end],
        tag,
    })
}

/// The vault id of a file that starts with a valid header (magic, a known version, a header
/// whose checksum holds), from its first bytes only: how the sync code recognises other
/// copies of a vault (`crate::sync::find_copies`). `None` for anything else.
pub fn parse_header_id(head: &[u8]) -> Option<[u8; 16]> {
    let version = check_magic_and_version(head).ok()?;
    if head.len() < PREFIX_LEN {
        return None;
    }
    let header_len = u32::from_be_bytes([head[10], head[11], head[12], head[13]]) as usize;
    if !(FIXED_HEADER_LEN..=MAX_HEADER_LEN).contains(&header_len)
        || head.len() < PREFIX_LEN + header_len + CHECKSUM_LEN
    {
        return None;
    }
    let sum = crypto::sha256(&head[..PREFIX_LEN + header_len]);
    if !crypto::ct_eq(
        &sum,
        &head[PREFIX_LEN + header_len..PREFIX_LEN + header_len + CHECKSUM_LEN],
    ) {
        return None;
    }
    parse_body(&head[PREFIX_LEN..PREFIX_LEN + header_len], version)
        .ok()
        .map(|h| h.vault_id)
}

fn parse_body(body: &[u8], version: u16) -> Result<Header, ParseError> {
    let mut r = Reader { buf: body, pos: 0 };
    let vault_id = r.array::<16>("vault id")?;
    let generation = u64::from_be_bytes(r.array("generation")?);
    if generation == 0 {
        return Err(ParseError::Malformed(
            "generation is 0, expected at least 1".into(),
        ));
    }
    let payload_salt = r.array("payload salt")?;
    let payload_nonce = r.array("payload nonce")?;
    let commitment = r.array("key commitment")?;
    let count = r.array::<1>("slot count")?[0] as usize;
    if !(1..=4).contains(&count) {
        return Err(ParseError::Malformed(format!(
            "{count} slots, expected 1 to 4"
        )));
    }
    let mut slots: Vec<Slot> = Vec::with_capacity(count);
    for _ in 0..count {
        let code = r.array::<1>("slot type")?[0];
        let kind = SlotKind::from_code(code)
            .ok_or_else(|| ParseError::Malformed(format!("unknown slot type {code}")))?;
        if let Some(prev) = slots.last() {
            if prev.kind.code() >= code {
                return Err(ParseError::Malformed(
                    "slots are not in canonical order (strictly increasing type)".into(),
                ));
            }
        }
        let id = r.array::<16>("slot id")?;
        if slots.iter().any(|s| s.id == id) {
            return Err(ParseError::Malformed("duplicate slot id".into()));
        }
        let salt = r.array("slot salt")?;
        let kdf = if kind.has_kdf() {
            let k = KdfParams {
                m_kib: r.u32("kdf memory")?,
                t: r.u32("kdf time")?,
                p: r.u32("kdf lanes")?,
            };
            if k.check().is_err() {
                return Err(ParseError::Kdf(k));
            }
            Some(k)
        } else {
            None
        };
        let sealed = if version >= 2 {
            Some(Sealed {
                public: r.array("slot public key")?,
                ephemeral: r.array("ephemeral public key")?,
            })
        } else {
            None
        };
        let wrap_nonce = r.array("wrap nonce")?;
        let wrapped = r.array("wrapped key")?;
        slots.push(Slot {
            kind,
            id,
            salt,
            kdf,
            sealed,
            wrap_nonce,
            wrapped,
        });
    }
    if r.pos != body.len() {
        return Err(ParseError::Malformed(format!(
            "{} unexpected bytes after the last slot",
            body.len() - r.pos
        )));
    }
    // K1 (security.md §7): never keychain-only.
    if !slots
        .iter()
        .any(|s| matches!(s.kind, SlotKind::Password | SlotKind::RecoveryKey))
    {
        return Err(ParseError::Malformed(
            "no password or recovery-key slot (a vault is never keychain-only)".into(),
        ));
    }
    Ok(Header {
        version,
        vault_id,
        generation,
        payload_salt,
        payload_nonce,
        commitment,
        slots,
    })
}

/// The encoded length of a slot of `kind` in format `version` (for docs and tests).
pub fn slot_len(kind: SlotKind, version: u16) -> usize {
    Slot::encoded_len(kind, version)
}
