//! The FreeOTP family, `docs/reference/formats.md` §6:
//!
//! - [`FreeOtpPlus`] (`freeotp-plus`): FreeOTP+'s JSON export `{tokenOrder, tokens}`, and the
//!   same token JSON inside Android shared preferences XML (`<map><string name=…>`): FreeOTP+'s
//!   internal file and FreeOTP 1.x's `tokens.xml`, ordered by their `tokenOrder` entry.
//! - [`FreeOtp2`] (`freeotp2`): FreeOTP 2.x backups, a Java-serialised
//!   `java.util.HashMap<String,String>` (magic `AC ED 00 05`, read by a small bounded parser
//!   for exactly that subset of the serialisation protocol, no general Java deserialiser). Its
//!   `masterKey` is AES-GCM-wrapped under PBKDF2(SHA-1/256/512) of the password; each token
//!   secret is AES-GCM-wrapped under the master key, with the wrapper's `mToken` as AAD.
//!
//! Secrets of FreeOTP+ and FreeOTP 1 are arrays of signed Java bytes. As FreeOTP's `Token`
//! shows them: issuer = the user's `issuerAlt`, else `issuerExt`, else `issuerInt`; name =
//! `labelAlt`, else `label`; missing `algo`, `digits`, `period` and `counter` are SHA-1, 6, 30
//! and 0. FreeOTP computes Steam codes for TOTP tokens whose `issuerExt` is `Steam`, so do we.
//!
//! HOTP counters are kept exactly as the file has them. FreeOTP's `Token.generateCodes`
//! computes `getHOTP(counter++)`: the stored value is the moving factor of the *next* code,
//! which is what our [`Kind::Hotp`] counter means (formats.md §6 calls it "last used"; the
//! code says otherwise). EXPECTED.md agrees: these fixtures import to `vector − 1`, the value
//! stored in the file.
//!
//! The conversion loses: images, colours, the `lock` flag, and FreeOTP 2's random token ids.

use std::collections::HashMap;

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::account::{Account, Digits, Kind};
use crate::formats::twofas::{
    algorithm_of, digits_of, entry_label, gcm_open, new_account, period_of,
};
use crate::formats::{
    check_entries, json_object_has, parse_json, trim_ascii_start, FormatError, Imported, Importer,
    Skipped,
};
use crate::secret::{SecretBytes, SecretString};

const PLUS: &str = "FreeOTP+";
const V2: &str = "FreeOTP 2 backup";
/// Java serialisation stream magic and version (`ObjectStreamConstants`).
const JAVA_MAGIC: &[u8] = b"\xAC\xED\x00\x05";
/// Largest PBKDF2 iteration count accepted from a FreeOTP 2 backup (FreeOTP writes 100 000);
/// 1 000 in fuzz builds (`cfg(fuzzing)`), where the KDF would only slow the fuzzer down.
pub const MAX_ITERATIONS: u64 = if crate::formats::FUZZING {
    1_000
} else {
    2_000_000
};
const MAX_SALT_LEN: usize = 1024;

/// The FreeOTP 2 backup importer.
pub struct FreeOtp2;

/// The FreeOTP+ importer (also FreeOTP+ and FreeOTP 1.x shared preferences XML).
pub struct FreeOtpPlus;

/// A token's metadata, as FreeOTP+ exports it and as FreeOTP 2 stores it (without `secret`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    algo: Option<String>,
    counter: Option<u64>,
    digits: Option<u64>,
    issuer_alt: Option<String>,
    issuer_ext: Option<String>,
    issuer_int: Option<String>,
    label: Option<String>,
    label_alt: Option<String>,
    period: Option<u64>,
    secret: Option<Vec<i64>>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlusExport {
    tokens: Vec<serde_json::Value>,
}

impl Importer for FreeOtpPlus {
    fn id(&self) -> &'static str {
        "freeotp-plus"
    }
    fn name(&self) -> &'static str {
        PLUS
    }
    fn detect(&self, input: &[u8]) -> bool {
        json_object_has(input, &["tokens", "tokenOrder"]) || is_shared_prefs(input)
    }
    fn is_encrypted(&self, _input: &[u8]) -> Result<bool, FormatError> {
        Ok(false)
    }
    fn import(
        &self,
        input: &[u8],
        _password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if trim_ascii_start(input).first() == Some(&b'<') {
            return import_shared_prefs(input, now);
        }
        let export: PlusExport = parse_json(PLUS, input)?;
        check_entries(PLUS, export.tokens.len())?;
        let mut imported = Imported::default();
        for (index, value) in export.tokens.iter().enumerate() {
            push(&mut imported, index, value, None, now);
        }
        Ok(imported)
    }
}

/// Converts one token JSON (with its own `secret`, or the decrypted `secret` of FreeOTP 2)
/// into `imported`, or records why it was skipped.
fn push(
    imported: &mut Imported,
    index: usize,
    value: &serde_json::Value,
    secret: Option<SecretBytes>,
    now: i64,
) {
    match convert_token(value, secret, now) {
        Ok(account) => imported.accounts.push(account),
        Err(reason) => imported.skipped.push(Skipped {
            index,
            label: token_label(value),
            reason,
        }),
    }
}

/// `issuer (label)` of a raw token, for skip reports.
fn token_label(value: &serde_json::Value) -> String {
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or("");
    entry_label(text("issuerExt"), text("label"))
}

fn convert_token(
    value: &serde_json::Value,
    secret: Option<SecretBytes>,
    now: i64,
) -> Result<Account, String> {
    let token = Token::deserialize(value).map_err(|e| format!("unexpected field: {e}"))?;
    let secret = match secret {
        Some(secret) => secret,
        None => {
            let bytes = Zeroizing::new(token.secret.ok_or("no secret")?);
            signed_bytes(&bytes).ok_or("secret is not an array of bytes (-128 to 127)")?
        }
    };
    let steam = token.issuer_ext.as_deref() == Some("Steam");
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let issuer = non_empty(token.issuer_alt)
        .or(non_empty(token.issuer_ext))
        .or(token.issuer_int)
        .unwrap_or_default();
    let name = non_empty(token.label_alt)
        .or(token.label)
        .unwrap_or_default();
    let kind = match token
        .kind
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("TOTP") if steam => Kind::Steam,
        None | Some("TOTP") => Kind::Totp {
            period: period_of(token.period)?,
        },
        Some("HOTP") => Kind::Hotp {
            counter: token.counter.unwrap_or(0),
        },
        Some("STEAM") => Kind::Steam,
        Some(other) => {
            return Err(format!(
                "unknown type {:?}, expected TOTP or HOTP",
                other.chars().take(20).collect::<String>()
            ))
        }
    };
    let algorithm = algorithm_of(token.algo.as_deref())?;
    let digits = if kind == Kind::Steam {
        Digits::SIX
    } else {
        digits_of(token.digits)?
    };
    new_account(&issuer, &name, secret, kind, algorithm, digits, now)
}

/// Signed Java bytes → bytes; `None` if a value is out of range.
fn signed_bytes(values: &[i64]) -> Option<SecretBytes> {
    let mut out = Zeroizing::new(Vec::with_capacity(values.len()));
    for &v in values {
        out.push(i8::try_from(v).ok()? as u8);
    }
    Some(SecretBytes::from_slice(&out))
}

// ---------------------------------------------------------------------------------------------
// Android shared preferences XML (FreeOTP 1.x tokens.xml, FreeOTP+ internal file)

/// XML with a `<map>` and a `tokenOrder` string: FreeOTP's shared preferences.
fn is_shared_prefs(input: &[u8]) -> bool {
    let trimmed = trim_ascii_start(input);
    trimmed.first() == Some(&b'<')
        && std::str::from_utf8(trimmed)
            .is_ok_and(|t| t.contains("<map") && t.contains("name=\"tokenOrder\""))
}

fn import_shared_prefs(input: &[u8], now: i64) -> Result<Imported, FormatError> {
    let malformed = |reason: String| FormatError::Malformed {
        format: PLUS,
        reason,
    };
    let text =
        std::str::from_utf8(input).map_err(|_| malformed("XML is not valid UTF-8".into()))?;
    // A file cut short must not import as a shorter list.
    if !text.trim_end().ends_with("</map>") {
        return Err(malformed("the XML ends before </map>".into()));
    }
    let strings = shared_prefs_strings(text).map_err(malformed)?;
    let mut order: Vec<String> = Vec::new();
    let mut tokens = Vec::new();
    for (name, value) in &strings {
        if name == "tokenOrder" {
            order = serde_json::from_str(value)
                .map_err(|_| malformed("tokenOrder is not a JSON list of names".into()))?;
        } else {
            tokens.push((name.as_str(), value.as_str()));
        }
    }
    check_entries(PLUS, tokens.len())?;
    // Listed tokens first, in the user's order; any others after, in file order.
    let rank = |name: &str| order.iter().position(|o| o == name).unwrap_or(usize::MAX);
    let mut ranked: Vec<(usize, &str, &str)> = tokens
        .iter()
        .enumerate()
        .map(|(i, (name, value))| (i, *name, *value))
        .collect();
    ranked.sort_by_key(|&(i, name, _)| (rank(name), i));
    let mut imported = Imported::default();
    for (index, name, value) in ranked {
        match serde_json::from_str::<serde_json::Value>(value) {
            Ok(value) => push(&mut imported, index, &value, None, now),
            Err(e) => imported.skipped.push(Skipped {
                index,
                label: entry_label("", name),
                reason: format!(
                    "token is not JSON (line {} column {})",
                    e.line(),
                    e.column()
                ),
            }),
        }
    }
    Ok(imported)
}

/// Every `<string name="N">V</string>` of a shared preferences file, unescaped.
fn shared_prefs_strings(text: &str) -> Result<Vec<(String, String)>, String> {
    const OPEN: &str = "<string name=\"";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        rest = &rest[start + OPEN.len()..];
        let (name, after) = rest.split_once('"').ok_or("unterminated name attribute")?;
        let after = after.trim_start();
        // `<string name="x" />` is an empty string.
        if let Some(after) = after.strip_prefix("/>") {
            out.push((unescape(name)?, String::new()));
            rest = after;
            continue;
        }
        let after = after
            .strip_prefix('>')
            .ok_or("expected '>' after the name")?;
        let (value, after) = after
            .split_once("</string>")
            .ok_or("unterminated <string> element")?;
        out.push((unescape(name)?, unescape(value)?));
        if out.len() > 2 * crate::formats::MAX_ENTRIES {
            return Err("too many entries".into());
        }
        rest = after;
    }
    Ok(out)
}

/// XML character references and the five predefined entities.
fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let (entity, after) = rest[amp + 1..]
            .split_once(';')
            .ok_or("unterminated XML entity")?;
        let ch = match entity {
            "quot" => '"',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).ok_or_else(|| {
                    format!(
                        "unknown XML entity &{};",
                        entity.chars().take(10).collect::<String>()
                    )
                })?
            }
        };
        out.push(ch);
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// FreeOTP 2.x backups

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterKey {
    m_algorithm: String,
    m_encrypted_key: EncryptedKey,
    m_iterations: u64,
    m_salt: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EncryptedKey {
    m_cipher: String,
    m_cipher_text: Vec<i64>,
    m_parameters: Vec<i64>,
    m_token: String,
}

#[derive(Deserialize)]
struct SecretEntry {
    key: String,
}

impl Importer for FreeOtp2 {
    fn id(&self) -> &'static str {
        "freeotp2"
    }
    fn name(&self) -> &'static str {
        V2
    }
    fn detect(&self, input: &[u8]) -> bool {
        input.starts_with(JAVA_MAGIC)
    }
    fn is_encrypted(&self, input: &[u8]) -> Result<bool, FormatError> {
        Ok(input.starts_with(JAVA_MAGIC))
    }
    fn import(
        &self,
        input: &[u8],
        password: Option<&SecretString>,
        now: i64,
    ) -> Result<Imported, FormatError> {
        if is_shared_prefs(input) {
            return import_shared_prefs(input, now);
        }
        let malformed = |reason: String| FormatError::Malformed { format: V2, reason };
        if !input.starts_with(JAVA_MAGIC) {
            return Err(FormatError::Unrecognized {
                hint: Some(
                    "a FreeOTP 2 backup starts with the Java serialisation magic AC ED 00 05"
                        .into(),
                ),
            });
        }
        let pairs = java::read_string_map(input).map_err(malformed)?;
        let map: HashMap<&str, &str> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let master = map
            .get("masterKey")
            .ok_or_else(|| malformed("no masterKey entry".into()))?;
        let master: MasterKey = serde_json::from_str(master)
            .map_err(|e| malformed(format!("masterKey is not the expected JSON: {e}")))?;
        let password = password.ok_or(FormatError::PasswordRequired { format: V2 })?;
        let master_key = unwrap_master_key(&master, password)?;

        let tokens: Vec<(&str, &str)> = pairs
            .iter()
            .filter_map(|(k, v)| Some((k.strip_suffix("-token")?, v.as_str())))
            .collect();
        check_entries(V2, tokens.len())?;
        let mut imported = Imported::default();
        for (index, (uuid, meta)) in tokens.into_iter().enumerate() {
            let meta = match serde_json::from_str::<serde_json::Value>(meta) {
                Ok(meta) => meta,
                Err(_) => {
                    imported.skipped.push(Skipped {
                        index,
                        label: String::new(),
                        reason: "token metadata is not JSON".into(),
                    });
                    continue;
                }
            };
            match map
                .get(uuid)
                .ok_or("no secret entry for this token")
                .and_then(|e| {
                    open_token_secret(e, &master_key).ok_or("token secret could not be decrypted")
                }) {
                Ok(secret) => push(&mut imported, index, &meta, Some(secret), now),
                Err(reason) => imported.skipped.push(Skipped {
                    index,
                    label: token_label(&meta),
                    reason: reason.into(),
                }),
            }
        }
        Ok(imported)
    }
}

/// PBKDF2 of the password, then AES-GCM-unwrap of the master key (formats.md §6).
fn unwrap_master_key(
    master: &MasterKey,
    password: &SecretString,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let unsupported = |reason: String| FormatError::Unsupported { format: V2, reason };
    let malformed = |reason: String| FormatError::Malformed { format: V2, reason };
    // Bound the KDF cost before running it.
    if master.m_iterations == 0 || master.m_iterations > MAX_ITERATIONS {
        return Err(FormatError::Limit {
            format: V2,
            reason: format!(
                "{} PBKDF2 iterations, expected 1 to {MAX_ITERATIONS}",
                master.m_iterations
            ),
        });
    }
    let iterations = u32::try_from(master.m_iterations)
        .map_err(|_| malformed("iteration count out of range".into()))?;
    let salt = signed_bytes(&master.m_salt)
        .ok_or_else(|| malformed("mSalt is not an array of bytes".into()))?;
    if salt.is_empty() || salt.len() > MAX_SALT_LEN {
        return Err(malformed(format!(
            "salt is {} bytes, expected 1 to {MAX_SALT_LEN}",
            salt.len()
        )));
    }
    let wrapped = &master.m_encrypted_key;
    if !wrapped.m_cipher.eq_ignore_ascii_case("AES/GCM/NoPadding") {
        return Err(unsupported(format!(
            "master key cipher {:?}, expected \"AES/GCM/NoPadding\"",
            wrapped.m_cipher.chars().take(40).collect::<String>()
        )));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    let pw = password.expose().as_bytes();
    match master.m_algorithm.to_ascii_lowercase().as_str() {
        "pbkdf2withhmacsha1" => {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, salt.expose(), iterations, key.as_mut())
        }
        "pbkdf2withhmacsha256" => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, salt.expose(), iterations, key.as_mut())
        }
        "pbkdf2withhmacsha512" => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(pw, salt.expose(), iterations, key.as_mut())
        }
        other => {
            return Err(unsupported(format!(
                "key derivation {:?}, expected PBKDF2withHmacSHA1 or PBKDF2withHmacSHA512",
                other.chars().take(40).collect::<String>()
            )))
        }
    }
    open_wrapped(wrapped, key.as_ref()).ok_or(FormatError::WrongPassword { format: V2 })
}

/// A token's `{"key": "<EncryptedKey JSON>"}` → the raw secret.
fn open_token_secret(entry: &str, master_key: &[u8]) -> Option<SecretBytes> {
    let entry: SecretEntry = serde_json::from_str(entry).ok()?;
    let wrapped: EncryptedKey = serde_json::from_str(&entry.key).ok()?;
    if !wrapped.m_cipher.eq_ignore_ascii_case("AES/GCM/NoPadding") {
        return None;
    }
    let secret = open_wrapped(&wrapped, master_key)?;
    Some(SecretBytes::from_slice(&secret))
}

/// AES-GCM with the nonce from `mParameters` and AAD = `mToken` (formats.md §6).
fn open_wrapped(wrapped: &EncryptedKey, key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let params = signed_bytes(&wrapped.m_parameters)?;
    let nonce = der_first_octet_string(params.expose())?;
    let ct = signed_bytes(&wrapped.m_cipher_text)?;
    gcm_open(key, nonce, ct.expose(), wrapped.m_token.as_bytes())
}

/// The first OCTET STRING of `SEQUENCE { OCTET STRING, INTEGER }` or of a bare OCTET STRING.
fn der_first_octet_string(der: &[u8]) -> Option<&[u8]> {
    let (tag, content) = der_tlv(der)?;
    match tag {
        0x04 => Some(content),
        0x30 => match der_tlv(content)? {
            (0x04, inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// One DER tag-length-value (short or one/two-byte long lengths): the tag and the content.
fn der_tlv(der: &[u8]) -> Option<(u8, &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let (len, rest) = match len {
        0..=0x7F => (usize::from(len), rest),
        0x81 => {
            let (&l, rest) = rest.split_first()?;
            (usize::from(l), rest)
        }
        0x82 => {
            let (l, rest) = rest.split_first_chunk::<2>()?;
            (usize::from(u16::from_be_bytes(*l)), rest)
        }
        _ => return None,
    };
    Some((tag, rest.get(..len)?))
}

/// The subset of the Java Object Serialization Stream Protocol that a FreeOTP 2 backup uses:
/// one `java.util.HashMap` whose keys and values are all strings.
mod java {
    const TC_NULL: u8 = 0x70;
    const TC_REFERENCE: u8 = 0x71;
    const TC_CLASSDESC: u8 = 0x72;
    const TC_OBJECT: u8 = 0x73;
    const TC_STRING: u8 = 0x74;
    const TC_BLOCKDATA: u8 = 0x77;
    const TC_ENDBLOCKDATA: u8 = 0x78;
    const TC_LONGSTRING: u8 = 0x7C;
    /// `baseWireHandle`: the first handle number.
    const BASE_HANDLE: u32 = 0x7E_0000;
    const MAX_FIELDS: u16 = 64;

    struct Reader<'a> {
        data: &'a [u8],
        pos: usize,
        /// Every object assigned a handle so far; `Some` for strings.
        handles: Vec<Option<String>>,
    }

    impl<'a> Reader<'a> {
        fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
            let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
            let end = end.ok_or_else(|| format!("file ends early at byte {}", self.pos))?;
            let out = &self.data[self.pos..end];
            self.pos = end;
            Ok(out)
        }
        fn u8(&mut self) -> Result<u8, String> {
            Ok(self.bytes(1)?[0])
        }
        fn u16(&mut self) -> Result<u16, String> {
            let b = self.bytes(2)?;
            Ok(u16::from_be_bytes([b[0], b[1]]))
        }
        fn u32(&mut self) -> Result<u32, String> {
            let b = self.bytes(4)?;
            Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        }
        fn expect(&mut self, byte: u8, what: &str) -> Result<(), String> {
            let at = self.pos;
            let got = self.u8()?;
            if got != byte {
                return Err(format!(
                    "expected {what} (0x{byte:02X}) at byte {at}, got 0x{got:02X}"
                ));
            }
            Ok(())
        }
        /// `u16 length ‖ modified UTF-8`.
        fn utf(&mut self) -> Result<String, String> {
            let len = usize::from(self.u16()?);
            modified_utf8(self.bytes(len)?)
        }
        /// A string object: new (short or long), or a back-reference to an earlier one.
        fn string(&mut self) -> Result<String, String> {
            let at = self.pos;
            let s = match self.u8()? {
                TC_STRING => self.utf()?,
                TC_LONGSTRING => {
                    let b = self.bytes(8)?;
                    let len = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                    let len = usize::try_from(len).map_err(|_| "string too long".to_owned())?;
                    modified_utf8(self.bytes(len)?)?
                }
                TC_REFERENCE => {
                    let handle = self.u32()?;
                    return handle
                        .checked_sub(BASE_HANDLE)
                        .and_then(|i| self.handles.get(usize::try_from(i).ok()?))
                        .and_then(|h| h.clone())
                        .ok_or_else(|| format!("bad string reference at byte {at}"));
                }
                other => {
                    return Err(format!(
                        "expected a string at byte {at}, got type code 0x{other:02X}"
                    ))
                }
            };
            self.handles.push(Some(s.clone()));
            Ok(s)
        }
    }

    /// Java's modified UTF-8: UTF-8 with NUL as `C0 80` and supplementary characters as
    /// surrogate pairs of 3-byte sequences (CESU-8).
    fn modified_utf8(bytes: &[u8]) -> Result<String, String> {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return Ok(s.to_owned());
        }
        let mut units = Vec::with_capacity(bytes.len());
        let mut i = 0;
        let bad = || "string is not valid modified UTF-8".to_owned();
        let cont = |b: Option<&u8>| b.filter(|b| *b & 0xC0 == 0x80).map(|b| u16::from(b & 0x3F));
        while let Some(&b) = bytes.get(i) {
            let unit = match b {
                0x00..=0x7F => {
                    i += 1;
                    u16::from(b)
                }
                0xC0..=0xDF => {
                    let c1 = cont(bytes.get(i + 1)).ok_or_else(bad)?;
                    i += 2;
                    (u16::from(b & 0x1F) << 6) | c1
                }
                0xE0..=0xEF => {
                    let c1 = cont(bytes.get(i + 1)).ok_or_else(bad)?;
                    let c2 = cont(bytes.get(i + 2)).ok_or_else(bad)?;
                    i += 3;
                    (u16::from(b & 0x0F) << 12) | (c1 << 6) | c2
                }
                _ => return Err(bad()),
            };
            units.push(unit);
        }
        String::from_utf16(&units).map_err(|_| bad())
    }

    /// Reads `java.util.HashMap<String,String>` → its pairs in stream order.
    pub(super) fn read_string_map(data: &[u8]) -> Result<Vec<(String, String)>, String> {
        let mut r = Reader {
            data,
            pos: 4,
            handles: Vec::new(),
        };
        r.expect(TC_OBJECT, "an object")?;
        r.expect(TC_CLASSDESC, "a class descriptor")?;
        let class = r.utf()?;
        if class != "java.util.HashMap" {
            return Err(format!(
                "class {:?}, expected \"java.util.HashMap\"",
                class.chars().take(60).collect::<String>()
            ));
        }
        r.bytes(8)?; // serialVersionUID
        r.handles.push(None); // the class descriptor
        r.u8()?; // flags (SC_SERIALIZABLE | SC_WRITE_METHOD)
        let count = r.u16()?;
        if count > MAX_FIELDS {
            return Err(format!("{count} fields, expected at most {MAX_FIELDS}"));
        }
        // Field descriptors: `loadFactor` (F) and, on most Android versions, `threshold` (I).
        let mut sizes = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let code = r.u8()?;
            r.utf()?;
            let size = match code {
                b'B' | b'Z' => 1,
                b'C' | b'S' => 2,
                b'F' | b'I' => 4,
                b'D' | b'J' => 8,
                b'L' | b'[' => return Err("HashMap with object fields is not supported".into()),
                other => return Err(format!("unknown field type code 0x{other:02X}")),
            };
            sizes.push(size);
        }
        r.expect(TC_ENDBLOCKDATA, "end of class annotations")?;
        r.expect(TC_NULL, "no superclass")?;
        r.handles.push(None); // the HashMap object
        for size in sizes {
            r.bytes(size)?;
        }
        // HashMap.writeObject: block data with capacity and size, then the pairs.
        r.expect(TC_BLOCKDATA, "block data")?;
        let block = usize::from(r.u8()?);
        if block < 8 {
            return Err(format!("block data of {block} bytes, expected at least 8"));
        }
        r.u32()?; // capacity
        let size = r.u32()?;
        r.bytes(block - 8)?;
        let max = crate::formats::MAX_ENTRIES * 3;
        let size = usize::try_from(size).map_err(|_| "map size out of range".to_owned())?;
        if size > max {
            return Err(format!("{size} map entries, expected at most {max}"));
        }
        let mut pairs = Vec::new();
        for _ in 0..size {
            let key = r.string()?;
            let value = r.string()?;
            pairs.push((key, value));
        }
        // writeObject's block data ends here; a file cut short lacks it.
        r.expect(TC_ENDBLOCKDATA, "end of the map")?;
        Ok(pairs)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn modified_utf8_decodes_nul_and_surrogate_pairs() {
            assert_eq!(super::modified_utf8(b"a\xC0\x80b").unwrap(), "a\0b");
            // U+1F600 as a CESU-8 surrogate pair.
            let s = super::modified_utf8(b"\xED\xA0\xBD\xED\xB8\x80").unwrap();
            assert_eq!(s, "\u{1F600}");
            assert!(super::modified_utf8(b"\xED\xA0").is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_nonce_forms() {
        let seq = [
            0x30, 0x11, 0x04, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x02, 0x01, 0x10,
        ];
        assert_eq!(der_first_octet_string(&seq).unwrap().len(), 12);
        let bare = [0x04, 0x02, 9, 9];
        assert_eq!(der_first_octet_string(&bare).unwrap(), &[9, 9]);
        assert!(der_first_octet_string(&[0x04, 0x05, 1]).is_none());
        assert!(der_first_octet_string(&[0x30]).is_none());
    }

    #[test]
    fn unescape_entities() {
        assert_eq!(unescape("&quot;a&amp;b&#65;&#x42;").unwrap(), "\"a&bAB");
        assert!(unescape("&bogus;").is_err());
        assert!(unescape("&amp").is_err());
    }

    #[test]
    fn user_renames_and_steam_issuer() {
        let input = br#"{"tokenOrder":[],"tokens":[
            {"issuerExt":"Old","issuerAlt":"New","label":"a","labelAlt":"b","secret":[1,2,3,4,5],"type":"TOTP"},
            {"issuerExt":"Steam","label":"me","secret":[1,2,3,4,5],"digits":5,"type":"TOTP"}]}"#;
        let imported = FreeOtpPlus.import(input, None, 0).unwrap();
        let a = &imported.accounts[0];
        assert_eq!((a.issuer.as_str(), a.name.as_str()), ("New", "b"));
        assert_eq!(imported.accounts[1].kind, Kind::Steam);
        assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
    }

    #[test]
    fn signed_bytes_range() {
        assert_eq!(
            signed_bytes(&[-1, 0, 127]).unwrap().expose(),
            &[255, 0, 127]
        );
        assert!(signed_bytes(&[128]).is_none());
    }
}
