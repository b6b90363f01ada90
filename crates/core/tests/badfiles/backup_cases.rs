//! The backup half of the bad-file kit: age files made with `backup::encrypt_with_work_factor`
//! (cheap scrypt), then damaged, each with the one error it must produce (docs/backup.md).

use std::fs;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use twofold_core::backup;
use twofold_core::formats::FormatError;
use twofold_core::SecretString;

use super::{BACKUP_PASSWORD, SAMPLE};

/// Backup cases: the age file and the password to try, and the error it must give.
pub(super) type BackupCase = (
    &'static str,
    Vec<u8>,
    &'static str,
    &'static str,
    fn(&FormatError) -> bool,
);

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

pub(super) fn backup_cases() -> Vec<BackupCase> {
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
