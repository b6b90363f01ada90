//! The bad-file kit (docs/reference/security-brief.md C6, modelled on age's `C2SP/CCTV:age/`):
//! malformed vaults and backups, each with the one error it must produce, run as one table.
//!
//! Every vault case is built in code from the sample vault
//! (`tests/fixtures/vault/sample-v1.twofold`, docs/vault.md): a mutation of its bytes, or of
//! its parsed header re-encoded with a correct checksum so that the case reaches the check it
//! is about. Backup cases are age files made with `backup::encrypt_with_work_factor` (cheap
//! scrypt) and then damaged. Nothing here may panic, and no error text may hold a secret.
//!
//! What the formats cannot detect, by design, is stated as a case too: a whole older vault
//! generation put back in place opens (docs/vault.md §3 keeps an authenticated `generation`
//! so the app can warn, security.md S5); there is no nonce-reuse marker to tamper with,
//! because every save draws a fresh salt and so a fresh payload key.

use std::fs;
use std::path::Path;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use twofold_core::backup;
use twofold_core::formats::FormatError;
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{crypto, format, SlotKind, Unlock, VaultError, VaultFile};
use twofold_core::SecretString;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/vault/sample-v1.twofold"
);
const RECOVERY_KEY: &str = "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU";
const PASSWORD: &str = "correct horse battery staple";

/// The sample, parsed once.
struct Sample {
    bytes: Vec<u8>,
    header: format::Header,
    /// Ciphertext and tag: everything after the prefix.
    rest: Vec<u8>,
}

fn sample() -> Sample {
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
enum Expect {
    /// This error: a description and a matcher.
    Error(&'static str, fn(&VaultError) -> bool),
    /// It opens, at this generation (what the format cannot detect).
    Opens(u64),
}

fn malformed(e: &VaultError) -> bool {
    matches!(e, VaultError::Malformed { .. })
}
fn malformed_because(e: &VaultError, words: &str) -> bool {
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

type Mutation = Box<dyn Fn(&Sample) -> Vec<u8>>;

fn vault_cases(s: &Sample) -> Vec<(String, Mutation, Expect)> {
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

fn check_vault_error(name: &str, e: &VaultError) {
    let text = e.to_string();
    for secret in [RECOVERY_KEY, PASSWORD, "JBSWY3DPEHPK3PXP"] {
        assert!(
            !text.contains(secret),
            "{name}: the error shows a secret: {text}"
        );
    }
}

/// Backup cases: the age file and the password to try, and the error it must give.
type BackupCase = (
    &'static str,
    Vec<u8>,
    &'static str,
    &'static str,
    fn(&FormatError) -> bool,
);

const BACKUP_PASSWORD: &str = "backup kit password";

/// Rewrites the work factor of the scrypt stanza of a binary age file.
fn with_work_factor(file: &[u8], log_n: &str) -> Vec<u8> {
    let text_end = file.windows(4).position(|w| w == b"--- ").unwrap();
    let header = std::str::from_utf8(&file[..text_end]).unwrap();
    let mut out = String::new();
    for line in header.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("-> scrypt ") {
            let salt = rest.split(' ').next().unwrap();
            out.push_str(&format!("-> scrypt {salt} {log_n}\n"));
        } else {
            out.push_str(line);
        }
    }
    let mut v = out.into_bytes();
    v.extend_from_slice(&file[text_end..]);
    v
}

fn backup_cases() -> Vec<BackupCase> {
    let pw = SecretString::from(BACKUP_PASSWORD);
    let doc = |json: &str| backup::encrypt_with_work_factor(json.as_bytes(), &pw, 2).unwrap();
    let good = doc(r#"{"format":"twofold-backup","version":1,"accounts":[]}"#);
    let header_end = good.windows(4).position(|w| w == b"--- ").unwrap();
    let mac_at = header_end + 4;
    let unrecognized: fn(&FormatError) -> bool = |e| matches!(e, FormatError::Unrecognized { .. });
    let damaged: fn(&FormatError) -> bool = |e| matches!(e, FormatError::Malformed { .. });
    let limit: fn(&FormatError) -> bool = |e| matches!(e, FormatError::Limit { .. });
    let unsupported: fn(&FormatError) -> bool = |e| matches!(e, FormatError::Unsupported { .. });
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"garbage");
    let mut body_flip = good.clone();
    let last = body_flip.len() - 5;
    body_flip[last] ^= 1;
    // The header MAC is random (a fresh salt and file key each run), so each kind of damage is
    // made on purpose, never by flipping a base64 character that may leave the alphabet:
    // a bit of the decoded MAC flipped and re-encoded (the header parses, the MAC is wrong),
    // and a MAC character replaced by one outside base64 (the header no longer parses).
    // See: issue 17 (1 run in 6 failed when the flipped character left the alphabet).
    let mac_end = mac_at + good[mac_at..].iter().position(|&b| b == b'\n').unwrap();
    let mac_b64 = &good[mac_at..mac_end];
    let mut mac = STANDARD_NO_PAD.decode(mac_b64).unwrap();
    assert_eq!(mac.len(), 32, "the age header MAC is HMAC-SHA256");
    mac[7] ^= 0x10;
    let mac_flip = [
        &good[..mac_at],
        STANDARD_NO_PAD.encode(&mac).as_bytes(),
        &good[mac_end..],
    ]
    .concat();
    let mut mac_garbled = good.clone();
    mac_garbled[mac_at + 2] = b'!';
    // An armored file whose (encoded) version line names another age version.
    let armored_v2 = {
        let mut binary = b"age-encryption.org/v2\n".to_vec();
        binary.extend_from_slice(&good[backup::AGE_MAGIC.len()..]);
        let body = STANDARD.encode(&binary);
        let mut text = String::from("-----BEGIN AGE ENCRYPTED FILE-----\n");
        for line in body.as_bytes().chunks(64) {
            text.push_str(std::str::from_utf8(line).unwrap());
            text.push('\n');
        }
        text.push_str("-----END AGE ENCRYPTED FILE-----\n");
        text.into_bytes()
    };
    vec![
        (
            "empty file",
            Vec::new(),
            BACKUP_PASSWORD,
            "unrecognized",
            unrecognized,
        ),
        (
            "a vault file instead of a backup",
            fs::read(SAMPLE).unwrap(),
            BACKUP_PASSWORD,
            "unrecognized",
            unrecognized,
        ),
        (
            "age version line v2",
            [b"age-encryption.org/v2\n".as_slice(), &good[22..]].concat(),
            BACKUP_PASSWORD,
            "unrecognized",
            unrecognized,
        ),
        (
            "header cut after the version line",
            good[..22].to_vec(),
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "header cut inside the MAC",
            good[..mac_at + 10].to_vec(),
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "payload truncated by 10 bytes",
            good[..good.len() - 10].to_vec(),
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "payload byte altered",
            body_flip,
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "header MAC altered",
            mac_flip,
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "header MAC not base64",
            mac_garbled,
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "armored, version line v2",
            armored_v2,
            BACKUP_PASSWORD,
            "unsupported",
            unsupported,
        ),
        (
            "trailing garbage",
            trailing,
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "wrong password",
            good.clone(),
            "not the backup password",
            "wrong password",
            |e| matches!(e, FormatError::WrongPassword { .. }),
        ),
        (
            "scrypt work factor 2^21 (one above the cap)",
            with_work_factor(&good, "21"),
            BACKUP_PASSWORD,
            "limit",
            limit,
        ),
        (
            "scrypt work factor 2^64",
            with_work_factor(&good, "64"),
            BACKUP_PASSWORD,
            "damaged or limit",
            |e| matches!(e, FormatError::Limit { .. } | FormatError::Malformed { .. }),
        ),
        (
            "scrypt work factor 0",
            with_work_factor(&good, "0"),
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "scrypt work factor not canonical (02)",
            with_work_factor(&good, "02"),
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "inner document: another format string",
            doc(r#"{"format":"aegis","version":1,"accounts":[]}"#),
            BACKUP_PASSWORD,
            "unrecognized",
            unrecognized,
        ),
        (
            "inner document: version 2",
            doc(r#"{"format":"twofold-backup","version":2,"accounts":[]}"#),
            BACKUP_PASSWORD,
            "unsupported",
            unsupported,
        ),
        (
            "inner document: version 0",
            doc(r#"{"format":"twofold-backup","version":0,"accounts":[]}"#),
            BACKUP_PASSWORD,
            "unsupported",
            unsupported,
        ),
        (
            "inner document: no accounts array",
            doc(r#"{"format":"twofold-backup","version":1}"#),
            BACKUP_PASSWORD,
            "damaged",
            damaged,
        ),
        (
            "inner document: not JSON",
            doc("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"),
            BACKUP_PASSWORD,
            "unrecognized",
            unrecognized,
        ),
    ]
}

/// Reads a backup the way a restore does: decrypt, then parse the document.
fn read_backup(file: &[u8], password: &str) -> Result<usize, FormatError> {
    let plain = backup::decrypt(file, &SecretString::from(password))?;
    Ok(backup::from_json(&plain, 0)?.accounts.len())
}

fn open(path: &Path) -> Result<VaultFile, VaultError> {
    VaultFile::open(
        path,
        &Unlock::RecoveryKey(SecretString::from(RECOVERY_KEY)),
        &MemoryKeyStore::new(),
    )
}

#[test]
fn bad_file_kit() {
    let s = sample();
    let dir = tempfile::tempdir().unwrap();
    let cases = vault_cases(&s);
    let mut failures = Vec::new();
    for (i, (name, mutate, expect)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case-{i:03}.twofold"));
        let bytes = mutate(&s);
        fs::write(&path, &bytes).unwrap();
        let result = if let Expect::Opens(_) = expect {
            // Make a newer generation, then put the older file back in its place.
            let newer = dir.path().join(format!("case-{i:03}-newer.twofold"));
            fs::write(&newer, &bytes).unwrap();
            let mut vf = open(&newer).unwrap();
            vf.save().unwrap();
            assert_eq!(vf.header_info().generation, 3);
            fs::copy(&path, &newer).unwrap();
            open(&newer)
        } else {
            open(&path)
        };
        match (expect, result) {
            (Expect::Error(want, matches), Err(e)) => {
                check_vault_error(name, &e);
                if !matches(&e) {
                    failures.push(format!("{name}: expected {want}, got {e:?}"));
                }
            }
            (Expect::Error(want, _), Ok(_)) => {
                failures.push(format!("{name}: expected {want}, but it opened"))
            }
            (Expect::Opens(generation), Ok(vf)) => {
                // Documented behaviour: the format cannot tell an older generation from the
                // current one; the app compares the generation with the highest it has seen.
                assert_eq!(vf.header_info().generation, *generation, "{name}");
                assert_eq!(vf.vault().len(), 3, "{name}");
            }
            (Expect::Opens(_), Err(e)) => failures.push(format!("{name}: did not open: {e}")),
        }
    }
    // A file over the size limit, refused before it is read (a sparse file).
    let big = dir.path().join("too-big.twofold");
    fs::File::create(&big)
        .unwrap()
        .set_len(format::MAX_FILE_LEN + 1)
        .unwrap();
    match open(&big) {
        Err(e) if malformed_because(&e, "expected at most") => {}
        other => failures.push(format!("file over 64 MiB: {other:?}")),
    }
    let vault_count = cases.len() + 1;

    let backups = backup_cases();
    for (name, file, password, want, matches) in &backups {
        match read_backup(file, password) {
            Err(e) => {
                let text = e.to_string();
                assert!(!text.contains(BACKUP_PASSWORD), "{name}: {text}");
                if !matches(&e) {
                    failures.push(format!("backup {name}: expected {want}, got {e:?}"));
                }
            }
            Ok(n) => failures.push(format!("backup {name}: expected {want}, read {n} accounts")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(vault_count >= 40 && backups.len() >= 10);
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "figure: bad-file kit: {vault_count} malformed vaults and {} malformed backups, \
             each with its expected error\n",
            backups.len()
        ),
    );
}
