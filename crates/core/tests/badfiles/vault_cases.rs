//! The vault half of the bad-file kit: the sample vault, the ways to damage it, and each
//! case with the one error it must produce (docs/vault.md §2–§4).

use std::fs;

use twofold_core::vault::{crypto, format, SlotKind, VaultError};

use super::SAMPLE;

/// The sample, parsed once.
pub(super) struct Sample {
    pub(super) bytes: Vec<u8>,
    header: format::Header,
    /// Ciphertext and tag: everything after the prefix.
    rest: Vec<u8>,
}

pub(super) fn sample() -> Sample {
    let bytes = fs::read(SAMPLE).unwrap();
    let parsed = format::parse(&bytes).unwrap();
    let header = parsed.header.clone();
    let aad_len = parsed.aad.len();
    let rest = bytes[aad_len..].to_vec();
    Sample {
        bytes,
        header,
        rest,
    }
}

/// Offset of the header body, and its length, in the sample.
fn body_len(s: &Sample) -> usize {
    u32::from_be_bytes(s.bytes[10..14].try_into().unwrap()) as usize
}

/// A file with this header (checksum recomputed) and the sample's ciphertext and tag.
fn with_header(s: &Sample, edit: impl FnOnce(&mut format::Header)) -> Vec<u8> {
    let mut h = s.header.clone();
    edit(&mut h);
    let mut out = h.encode_prefix();
    out.extend_from_slice(&s.rest);
    out
}

/// A file with this raw header body, a correct `header_len` and checksum, and the sample's
/// ciphertext and tag.
fn with_body(s: &Sample, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut body = s.header.encode_body();
    edit(&mut body);
    let mut out = format::MAGIC.to_vec();
    out.extend_from_slice(&s.header.version.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    let sum = crypto::sha256(&out);
    out.extend_from_slice(&sum);
    out.extend_from_slice(&s.rest);
    out
}

fn with_bytes(s: &Sample, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = s.bytes.clone();
    edit(&mut b);
    b
}

fn truncated(s: &Sample, len: usize) -> Vec<u8> {
    s.bytes[..len].to_vec()
}

/// Offsets in the header body (docs/vault.md §3).
const SLOT_COUNT: usize = 16 + 8 + 32 + 12 + 32;
const FIRST_SLOT: usize = SLOT_COUNT + 1;

fn set_kdf(h: &mut format::Header, m: u32, t: u32, p: u32) {
    let slot = h.slots.iter_mut().find(|s| s.kind == SlotKind::Password);
    slot.unwrap().kdf = Some(twofold_core::vault::KdfParams { m_kib: m, t, p });
}

/// What a case must produce.
pub(super) enum Expect {
    /// This error: a description and a matcher.
    Error(&'static str, fn(&VaultError) -> bool),
    /// It opens, at this generation (what the format cannot detect).
    Opens(u64),
}

fn malformed(e: &VaultError) -> bool {
    matches!(e, VaultError::Malformed { .. })
}
pub(super) fn malformed_because(e: &VaultError, words: &str) -> bool {
    matches!(e, VaultError::Malformed { reason, .. } if reason.contains(words))
}
fn version(e: &VaultError, v: u16) -> bool {
    matches!(e, VaultError::UnsupportedVersion { version } if *version == v)
}
fn integrity(e: &VaultError, what_: &str) -> bool {
    matches!(e, VaultError::Integrity { what, .. } if *what == what_)
}
fn kdf(e: &VaultError) -> bool {
    matches!(e, VaultError::KdfParams { .. })
}

pub(super) type Mutation = Box<dyn Fn(&Sample) -> Vec<u8>>;

pub(super) fn vault_cases(s: &Sample) -> Vec<(String, Mutation, Expect)> {
    let hl = body_len(s);
    let prefix_end = format::PREFIX_LEN + hl + format::CHECKSUM_LEN;
    let total = s.bytes.len();
    let mut cases: Vec<(String, Mutation, Expect)> = vec![
        // --- magic and version (docs/vault.md §3.1 rules 1-2)
        (
            "empty file".into(),
            Box::new(|_| Vec::new()),
            Expect::Error("malformed: bad magic", |e| {
                malformed_because(e, "bad magic")
            }),
        ),
        (
            "magic only, 7 of 8 bytes".into(),
            Box::new(|s| truncated(s, 7)),
            Expect::Error("malformed: bad magic", |e| {
                malformed_because(e, "bad magic")
            }),
        ),
        (
            "magic in lower case".into(),
            Box::new(|s| with_bytes(s, |b| b[..8].copy_from_slice(b"twofoldv"))),
            Expect::Error("malformed: bad magic", |e| {
                malformed_because(e, "bad magic")
            }),
        ),
        (
            "an age file instead of a vault".into(),
            Box::new(|_| b"age-encryption.org/v1\n-> scrypt AAAA 10\n".to_vec()),
            Expect::Error("malformed: bad magic", |e| {
                malformed_because(e, "bad magic")
            }),
        ),
        (
            "file ends inside the version".into(),
            Box::new(|s| truncated(s, 9)),
            Expect::Error("malformed", malformed),
        ),
    ];
    // A format 1 file relabelled as format 2 (which this build reads): the header checksum
    // covers the version, so it is damage, caught before any key is looked up.
    cases.push((
        "version 1 file labelled version 2".into(),
        Box::new(|s| with_bytes(s, |b| b[8..10].copy_from_slice(&2u16.to_be_bytes()))),
        Expect::Error("integrity: header checksum", |e| {
            integrity(e, "header checksum")
        }),
    ));
    for v in [0u16, 3, 4, 0x0100, 0x7fff, 0xffff] {
        cases.push((
            format!("unknown version {v}"),
            Box::new(move |s| with_bytes(s, |b| b[8..10].copy_from_slice(&v.to_be_bytes()))),
            match v {
                0 => Expect::Error("unsupported version 0", |e| version(e, 0)),
                3 => Expect::Error("unsupported version 3", |e| version(e, 3)),
                4 => Expect::Error("unsupported version 4", |e| version(e, 4)),
                0x0100 => Expect::Error("unsupported version 256", |e| version(e, 0x0100)),
                0x7fff => Expect::Error("unsupported version 32767", |e| version(e, 0x7fff)),
                _ => Expect::Error("unsupported version 65535", |e| version(e, 0xffff)),
            },
        ));
    }
    // --- truncation at every field boundary of the prefix and header (§2, §3)
    let boundaries = [
        ("magic and version", 10),
        ("inside the header length", 12),
        ("header length", format::PREFIX_LEN),
        ("vault id", format::PREFIX_LEN + 16),
        ("generation", format::PREFIX_LEN + 24),
        ("payload salt", format::PREFIX_LEN + 56),
        ("payload nonce", format::PREFIX_LEN + 68),
        ("key commitment", format::PREFIX_LEN + 100),
        ("slot count", format::PREFIX_LEN + FIRST_SLOT),
        ("first slot's type", format::PREFIX_LEN + FIRST_SLOT + 1),
        ("first slot", format::PREFIX_LEN + FIRST_SLOT + 121),
        ("header body", format::PREFIX_LEN + hl),
        ("half the checksum", format::PREFIX_LEN + hl + 16),
        ("checksum (no ciphertext, no tag)", prefix_end),
        ("checksum and 15 tag bytes", prefix_end + 15),
    ];
    for (what, len) in boundaries {
        cases.push((
            format!("truncated after the {what} ({len} bytes)"),
            Box::new(move |s| truncated(s, len)),
            Expect::Error("malformed", malformed),
        ));
    }
    // A prefix and a 16-byte "tag" parse; the tag check then fails.
    cases.push((
        "truncated: last byte missing".into(),
        Box::new(move |s| truncated(s, total - 1)),
        Expect::Error("integrity: payload", |e| {
            integrity(e, "payload authentication")
        }),
    ));
    cases.push((
        "truncated: the whole tag missing".into(),
        Box::new(move |s| truncated(s, total - 16)),
        Expect::Error("integrity: payload", |e| {
            integrity(e, "payload authentication")
        }),
    ));
    cases.push((
        "zero-length payload (prefix and tag only)".into(),
        Box::new(move |s| {
            let mut b = truncated(s, prefix_end);
            b.extend_from_slice(&s.bytes[total - 16..]);
            b
        }),
        Expect::Error("integrity: payload", |e| {
            integrity(e, "payload authentication")
        }),
    ));
    // --- header length field (§3.1 rule 3)
    for (name, len) in [
        ("0", 0u32),
        ("100, one below the fixed part", 100),
        ("1025, above the maximum", 1025),
        ("u32::MAX", u32::MAX),
    ] {
        cases.push((
            format!("header length {name}"),
            Box::new(move |s| with_bytes(s, |b| b[10..14].copy_from_slice(&len.to_be_bytes()))),
            Expect::Error("malformed: header length", |e| {
                malformed_because(e, "header length")
            }),
        ));
    }
    cases.push((
        "header length one too long".into(),
        Box::new(move |s| {
            with_bytes(s, |b| {
                b[10..14].copy_from_slice(&(hl as u32 + 1).to_be_bytes())
            })
        }),
        Expect::Error("integrity: header checksum", |e| {
            integrity(e, "header checksum")
        }),
    ));
    cases.push((
        "header checksum altered".into(),
        Box::new(move |s| with_bytes(s, |b| b[format::PREFIX_LEN + hl] ^= 1)),
        Expect::Error("integrity: header checksum", |e| {
            integrity(e, "header checksum")
        }),
    ));
    cases.push((
        "a header byte altered, checksum left".into(),
        Box::new(|s| with_bytes(s, |b| b[format::PREFIX_LEN + 3] ^= 0x80)),
        Expect::Error("integrity: header checksum", |e| {
            integrity(e, "header checksum")
        }),
    ));
    // --- trailing bytes
    cases.push((
        "one trailing zero byte".into(),
        Box::new(|s| with_bytes(s, |b| b.push(0))),
        Expect::Error("integrity: payload", |e| {
            integrity(e, "payload authentication")
        }),
    ));
    cases.push((
        "a second copy of the file appended".into(),
        Box::new(|s| with_bytes(s, |b| b.extend_from_slice(&s.bytes))),
        Expect::Error("integrity: payload", |e| {
            integrity(e, "payload authentication")
        }),
    ));
    // --- header structure, checksum recomputed (§3.1 rule 5)
    let structural: Vec<(&str, Mutation, Expect)> = vec![
        (
            "generation 0",
            Box::new(|s| with_header(s, |h| h.generation = 0)),
            Expect::Error("malformed: generation", |e| {
                malformed_because(e, "generation")
            }),
        ),
        (
            "slot count 0",
            Box::new(|s| with_body(s, |b| b[SLOT_COUNT] = 0)),
            Expect::Error("malformed: slot count", |e| malformed_because(e, "slots")),
        ),
        (
            "slot count 5",
            Box::new(|s| with_body(s, |b| b[SLOT_COUNT] = 5)),
            Expect::Error("malformed: slot count", |e| malformed_because(e, "slots")),
        ),
        (
            "slot count 1, two slots present",
            Box::new(|s| with_body(s, |b| b[SLOT_COUNT] = 1)),
            Expect::Error("malformed: unexpected bytes", |e| {
                malformed_because(e, "unexpected bytes")
            }),
        ),
        (
            "slot count 3, two slots present",
            Box::new(|s| with_body(s, |b| b[SLOT_COUNT] = 3)),
            Expect::Error("malformed: header ends inside", |e| {
                malformed_because(e, "header ends inside")
            }),
        ),
        (
            "one byte after the last slot",
            Box::new(|s| with_body(s, |b| b.push(0))),
            Expect::Error("malformed: unexpected bytes", |e| {
                malformed_because(e, "unexpected bytes")
            }),
        ),
        (
            "unknown slot type 0",
            Box::new(|s| with_body(s, |b| b[FIRST_SLOT] = 0)),
            Expect::Error("malformed: unknown slot type", |e| {
                malformed_because(e, "unknown slot type")
            }),
        ),
        (
            "unknown slot type 5",
            Box::new(|s| {
                with_body(s, |b| {
                    let last = FIRST_SLOT + 121;
                    b[last] = 5;
                })
            }),
            Expect::Error("malformed: unknown slot type", |e| {
                malformed_because(e, "unknown slot type")
            }),
        ),
        (
            "slots swapped (recovery key before password)",
            Box::new(|s| with_header(s, |h| h.slots.reverse())),
            Expect::Error("malformed: canonical order", |e| {
                malformed_because(e, "canonical order")
            }),
        ),
        (
            "recovery slot duplicated",
            Box::new(|s| {
                with_header(s, |h| {
                    let r = h.slots[1].clone();
                    h.slots.push(r);
                })
            }),
            Expect::Error("malformed: canonical order", |e| {
                malformed_because(e, "canonical order")
            }),
        ),
        (
            "two slots with one id",
            Box::new(|s| {
                with_header(s, |h| {
                    h.slots[1].id = h.slots[0].id;
                })
            }),
            Expect::Error("malformed: duplicate slot id", |e| {
                malformed_because(e, "duplicate slot id")
            }),
        ),
        (
            "keychain-only (password and recovery slots retyped)",
            Box::new(|s| {
                with_header(s, |h| {
                    h.slots.truncate(1);
                    h.slots[0].kind = SlotKind::Keychain;
                    h.slots[0].kdf = None;
                })
            }),
            Expect::Error("malformed: keychain-only", |e| {
                malformed_because(e, "keychain-only")
            }),
        ),
        // --- key slots and authentication (§4)
        (
            "password slot removed (header no longer matches the tag)",
            Box::new(|s| {
                with_header(s, |h| {
                    h.slots.remove(0);
                })
            }),
            Expect::Error("integrity: payload", |e| {
                integrity(e, "payload authentication")
            }),
        ),
        (
            "recovery slot removed (recovery key has nothing to open)",
            Box::new(|s| {
                with_header(s, |h| {
                    h.slots.remove(1);
                })
            }),
            Expect::Error("no recovery-key slot", |e| {
                matches!(
                    e,
                    VaultError::NoSlot {
                        kind: SlotKind::RecoveryKey
                    }
                )
            }),
        ),
        (
            "key commitment altered",
            Box::new(|s| with_header(s, |h| h.commitment[0] ^= 1)),
            Expect::Error("integrity: key commitment", |e| {
                integrity(e, "key commitment")
            }),
        ),
        (
            "key commitment of another data key",
            Box::new(|s| {
                with_header(s, |h| {
                    h.commitment = crypto::commitment(
                        &[7u8; 32],
                        &h.payload_salt,
                        format::MAGIC,
                        h.version,
                        &h.vault_id,
                    );
                })
            }),
            Expect::Error("integrity: key commitment", |e| {
                integrity(e, "key commitment")
            }),
        ),
        (
            "payload salt altered (commitment no longer matches)",
            Box::new(|s| with_header(s, |h| h.payload_salt[5] ^= 1)),
            Expect::Error("integrity: key commitment", |e| {
                integrity(e, "key commitment")
            }),
        ),
        (
            "payload nonce altered",
            Box::new(|s| with_header(s, |h| h.payload_nonce[0] ^= 1)),
            Expect::Error("integrity: payload", |e| {
                integrity(e, "payload authentication")
            }),
        ),
        (
            "generation forged upward (2 to 3)",
            Box::new(|s| with_header(s, |h| h.generation += 1)),
            Expect::Error("integrity: payload", |e| {
                integrity(e, "payload authentication")
            }),
        ),
        (
            "vault id altered (slots bound to the old id)",
            Box::new(|s| with_header(s, |h| h.vault_id[0] ^= 1)),
            Expect::Error("wrong credential", |e| {
                matches!(e, VaultError::WrongCredential)
            }),
        ),
        (
            "recovery slot salt altered",
            Box::new(|s| with_header(s, |h| h.slots[1].salt[0] ^= 1)),
            Expect::Error("wrong credential", |e| {
                matches!(e, VaultError::WrongCredential)
            }),
        ),
        (
            "recovery slot wrapped key altered",
            Box::new(|s| with_header(s, |h| h.slots[1].wrapped[40] ^= 1)),
            Expect::Error("wrong credential", |e| {
                matches!(e, VaultError::WrongCredential)
            }),
        ),
        (
            "in-range KDF parameters edited (t 2 to 3)",
            Box::new(|s| with_header(s, |h| set_kdf(h, 19456, 3, 1))),
            Expect::Error("integrity: payload", |e| {
                integrity(e, "payload authentication")
            }),
        ),
        // --- payload
        (
            "ciphertext byte altered",
            Box::new(move |s| with_bytes(s, |b| b[prefix_end + 3] ^= 1)),
            Expect::Error("integrity: payload", |e| {
                integrity(e, "payload authentication")
            }),
        ),
        (
            "tag altered",
            Box::new(move |s| with_bytes(s, |b| b[total - 1] ^= 0x40)),
            Expect::Error("integrity: payload", |e| {
                integrity(e, "payload authentication")
            }),
        ),
    ];
    for (name, m, e) in structural {
        cases.push((name.into(), m, e));
    }
    // --- absurd KDF parameters, bounded before Argon2 runs (§3.1 rule 5, security.md C4)
    for (m, t, p) in [
        (0, 2, 1),
        (8, 2, 1),
        (19455, 2, 1),
        (2_097_153, 2, 1),
        (u32::MAX, 2, 1),
        (19456, 0, 1),
        (19456, 1, 1),
        (19456, 65, 1),
        (19456, u32::MAX, 1),
        (19456, 2, 0),
        (19456, 2, 17),
        (19456, 2, u32::MAX),
    ] {
        cases.push((
            format!("Argon2id m = {m} KiB, t = {t}, p = {p}"),
            Box::new(move |s| with_header(s, |h| set_kdf(h, m, t, p))),
            Expect::Error("argon2id parameters out of bounds", kdf),
        ));
    }
    cases.push((
        "rollback: an older generation put back".into(),
        Box::new(|s| s.bytes.clone()),
        Expect::Opens(2),
    ));
    cases
}
