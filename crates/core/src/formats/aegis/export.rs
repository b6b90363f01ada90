//! Writing Aegis vaults (formats.md §3): the encrypted export (one scrypt password slot,
//! AES-256-GCM over the database) and the plain one, which Aegis imports as it exports them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use data_encoding::HEXLOWER;
use serde::Serialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::account::{Account, Kind};
use crate::formats::{ExportFile, Exporter, FormatError};
use crate::secret::SecretString;
use crate::vault::crypto::{random_array, seal_in_place, NONCE_LEN};

use super::{EXPORT_LOG_N, EXPORT_P, EXPORT_R, KEY_LEN, SALT_LEN};

// ---------------------------------------------------------------------------------------------
// Writing.

#[derive(Serialize)]
struct OutFile<'a, D: Serialize> {
    version: u32,
    header: OutHeader<'a>,
    db: D,
}

#[derive(Serialize)]
struct OutHeader<'a> {
    slots: Option<Vec<OutSlot<'a>>>,
    params: Option<OutParams>,
}

#[derive(Serialize)]
struct OutParams {
    nonce: String,
    tag: String,
}

#[derive(Serialize)]
struct OutSlot<'a> {
    #[serde(rename = "type")]
    kind: u32,
    uuid: &'a str,
    key: String,
    key_params: OutParams,
    n: u64,
    r: u32,
    p: u32,
    salt: String,
    repaired: bool,
    is_backup: bool,
}

#[derive(Serialize)]
struct OutDb<'a> {
    version: u32,
    entries: Vec<OutEntry<'a>>,
    groups: Vec<OutGroup<'a>>,
}

#[derive(Serialize)]
struct OutGroup<'a> {
    uuid: String,
    name: &'a str,
}

#[derive(Serialize)]
struct OutEntry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'a str,
    favorite: bool,
    icon: Option<()>,
    icon_mime: Option<()>,
    icon_hash: Option<()>,
    info: OutInfo<'a>,
    groups: Vec<String>,
}

#[derive(Serialize)]
struct OutInfo<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

/// A `Write` into a buffer that is zeroized on drop and whose old contents are zeroized
/// when it grows, so no copy of a secret is left behind in freed memory.
struct ZeroizingWriter(Zeroizing<Vec<u8>>);

impl std::io::Write for ZeroizingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > self.0.capacity() {
            let wanted = (self.0.len() + buf.len()).max(2 * self.0.capacity());
            let mut bigger = Zeroizing::new(Vec::with_capacity(wanted));
            bigger.extend_from_slice(&self.0);
            // The old buffer is zeroized as it drops here.
            self.0 = bigger;
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn to_json<T: Serialize>(
    value: &T,
    format: &'static str,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let mut w = ZeroizingWriter(Zeroizing::new(Vec::with_capacity(4096)));
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| FormatError::Export {
        format,
        reason: format!("json: {e}"),
    })?;
    Ok(w.0)
}

fn random_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The db JSON (version 3) for `accounts`, in their manual order.
fn db_json(accounts: &[Account], format: &'static str) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let mut sorted: Vec<&Account> = accounts.iter().collect();
    sorted.sort_by_key(|a| a.order);
    let secrets: Vec<SecretString> = sorted.iter().map(|a| a.secret.to_base32()).collect();
    let mut groups: Vec<OutGroup> = Vec::new();
    let mut entries = Vec::with_capacity(sorted.len());
    for (account, secret) in sorted.iter().zip(&secrets) {
        let mut group_ids = Vec::new();
        for tag in &account.tags {
            let uuid = match groups.iter().find(|g| g.name == tag.as_str()) {
                Some(g) => g.uuid.clone(),
                None => {
                    let uuid = random_uuid();
                    groups.push(OutGroup {
                        uuid: uuid.clone(),
                        name: tag,
                    });
                    uuid
                }
            };
            if !group_ids.contains(&uuid) {
                group_ids.push(uuid);
            }
        }
        let (kind, algo, digits, period, counter) = match account.kind {
            Kind::Totp { period } => (
                "totp",
                account.algorithm.as_str(),
                account.digits.get(),
                Some(period.seconds()),
                None,
            ),
            Kind::Hotp { counter } => (
                "hotp",
                account.algorithm.as_str(),
                account.digits.get(),
                None,
                Some(counter),
            ),
            Kind::Steam => (
                "steam",
                "SHA1",
                crate::otp::STEAM_CHARS as u8,
                Some(crate::otp::STEAM_PERIOD),
                None,
            ),
        };
        entries.push(OutEntry {
            kind,
            uuid: uuid::Uuid::parse_str(&account.id.0)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| random_uuid()),
            name: &account.name,
            issuer: &account.issuer,
            note: &account.notes,
            favorite: account.favourite,
            icon: None,
            icon_mime: None,
            icon_hash: None,
            info: OutInfo {
                secret: secret.expose(),
                algo,
                digits,
                period,
                counter,
            },
            groups: group_ids,
        });
    }
    to_json(
        &OutDb {
            version: 3,
            entries,
            groups,
        },
        format,
    )
}

/// What both Aegis exporters cannot carry.
const LOSES: &[&str] = &[
    "recovery codes",
    "icons",
    "created, changed and last-used dates",
];

/// The Aegis (encrypted) exporter: a vault Aegis on Android imports with the password.
pub struct AegisExporter;

const ENCRYPTED_NAME: &str = "Aegis (encrypted)";

impl Exporter for AegisExporter {
    fn id(&self) -> &'static str {
        "aegis"
    }
    fn name(&self) -> &'static str {
        ENCRYPTED_NAME
    }
    fn encrypted(&self) -> bool {
        true
    }
    fn loses(&self) -> &'static [&'static str] {
        LOSES
    }
    fn exposes(&self) -> &'static str {
        ""
    }
    fn export(
        &self,
        accounts: &[Account],
        password: Option<&SecretString>,
        _now: i64,
    ) -> Result<Vec<ExportFile>, FormatError> {
        let export_err = |reason: &str| FormatError::Export {
            format: ENCRYPTED_NAME,
            reason: reason.to_owned(),
        };
        let password = password.ok_or_else(|| export_err("a password is needed"))?;
        if password.is_empty() {
            return Err(export_err("the password is empty"));
        }
        let random = |e: crate::vault::VaultError| export_err(&e.to_string());
        let master = Zeroizing::new(random_array::<KEY_LEN>().map_err(random)?);
        let salt = random_array::<SALT_LEN>().map_err(random)?;
        let slot_nonce = random_array::<NONCE_LEN>().map_err(random)?;
        let db_nonce = random_array::<NONCE_LEN>().map_err(random)?;

        // Invariant: Aegis's parameters are valid scrypt parameters.
        let params = scrypt::Params::new(EXPORT_LOG_N, EXPORT_R, EXPORT_P, KEY_LEN)
            .map_err(|_| export_err("invalid scrypt parameters"))?;
        let mut kek = Zeroizing::new([0u8; KEY_LEN]);
        scrypt::scrypt(
            password.expose().as_bytes(),
            &salt,
            &params,
            kek.as_mut_slice(),
        )
        .map_err(|_| export_err("scrypt output length"))?;
        let mut wrapped = *master;
        let slot_tag =
            seal_in_place(kek.as_slice(), &slot_nonce, b"", &mut wrapped).map_err(random)?;

        let mut db = db_json(accounts, ENCRYPTED_NAME)?;
        let db_tag = seal_in_place(master.as_slice(), &db_nonce, b"", &mut db).map_err(random)?;

        let slot_uuid = random_uuid();
        let file = OutFile {
            version: 1,
            header: OutHeader {
                slots: Some(vec![OutSlot {
                    kind: 1,
                    uuid: &slot_uuid,
                    key: HEXLOWER.encode(&wrapped),
                    key_params: OutParams {
                        nonce: HEXLOWER.encode(&slot_nonce),
                        tag: HEXLOWER.encode(&slot_tag),
                    },
                    n: 1 << EXPORT_LOG_N,
                    r: EXPORT_R,
                    p: EXPORT_P,
                    salt: HEXLOWER.encode(&salt),
                    repaired: true,
                    is_backup: false,
                }]),
                params: Some(OutParams {
                    nonce: HEXLOWER.encode(&db_nonce),
                    tag: HEXLOWER.encode(&db_tag),
                }),
            },
            db: STANDARD.encode(&*db),
        };
        Ok(vec![ExportFile {
            suffix: ".json".to_owned(),
            bytes: to_json(&file, ENCRYPTED_NAME)?,
        }])
    }
}

/// The Aegis (plain) exporter: the same vault with `db` in the clear.
pub struct AegisPlainExporter;

const PLAIN_NAME: &str = "Aegis (plain)";

impl Exporter for AegisPlainExporter {
    fn id(&self) -> &'static str {
        "aegis-plain"
    }
    fn name(&self) -> &'static str {
        PLAIN_NAME
    }
    fn encrypted(&self) -> bool {
        false
    }
    fn loses(&self) -> &'static [&'static str] {
        LOSES
    }
    fn exposes(&self) -> &'static str {
        "every account's secret, issuer, name, notes and tags, in plain text"
    }
    fn export(
        &self,
        accounts: &[Account],
        _password: Option<&SecretString>,
        _now: i64,
    ) -> Result<Vec<ExportFile>, FormatError> {
        let db = db_json(accounts, PLAIN_NAME)?;
        // Invariant: `db_json` wrote valid JSON a moment ago.
        let db: &RawValue = serde_json::from_slice(&db).map_err(|e| FormatError::Export {
            format: PLAIN_NAME,
            reason: format!("json: {e}"),
        })?;
        let file = OutFile {
            version: 1,
            header: OutHeader {
                slots: None,
                params: None,
            },
            db,
        };
        Ok(vec![ExportFile {
            suffix: ".json".to_owned(),
            bytes: to_json(&file, PLAIN_NAME)?,
        }])
    }
}
