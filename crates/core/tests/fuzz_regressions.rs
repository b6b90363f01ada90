//! The fuzz targets' inputs as ordinary tests (issue 6): every crash input the fuzzers found,
//! kept in `crates/core/fuzz/regressions/<target>/`, and every committed seed in
//! `crates/core/fuzz/corpus/<target>/`, goes through the same code as its fuzz target
//! (`crates/core/fuzz/fuzz_targets/<target>.rs`), so a fixed crash stays fixed on stable Rust.
//!
//! The seed corpus is made here too, from our own exporters and hand-written samples of each
//! format's shape (never from the GPL fixtures in ../shared, which scripts/fuzz.sh adds at run
//! time by path): `TWOFOLD_WRITE_FUZZ_CORPUS=1 cargo test -p twofold-core --test tests
//! fuzz_regressions` rewrites `corpus/`.

use std::path::{Path, PathBuf};

use twofold_core::formats::{self, IMPORTERS, MAX_ENTRIES};
use twofold_core::keychain::MemoryKeyStore;
use twofold_core::vault::{format as vault_format, Unlock, VaultFile};
use twofold_core::{
    backup, migration, qr, uri, Account, Algorithm, Digits, Kind, Period, SecretBytes, SecretString,
};

const NOW: i64 = 1_700_000_000;

/// Every fuzz target (scripts/fuzz.sh runs the same list).
const TARGETS: &[&str] = &[
    "otpauth_uri",
    "migration",
    "base32",
    "vault_header",
    "vault_open",
    "qr_image",
    "import_any",
    "import_each",
    "backup_read",
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `<fuzz>/<kind>/<target>/`, sorted; none if the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading a fuzz input folder").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("reading a fuzz input");
            (p, bytes)
        })
        .collect()
}

/// What fuzz target `target` does with `data`: panics exactly where the target would crash.
fn run(target: &str, data: &[u8]) {
    let password = SecretString::from("test");
    match target {
        "otpauth_uri" => {
            let Ok(text) = std::str::from_utf8(data) else {
                return;
            };
            if let Ok(a) = uri::parse(text, 0) {
                let again = uri::parse(uri::format(&a).expose(), 0).expect("our URI parses");
                assert_eq!((again.secret, again.kind), (a.secret, a.kind));
            }
        }
        "migration" => {
            let Some((&mode, rest)) = data.split_first() else {
                return;
            };
            let text = if mode & 1 == 1 {
                match std::str::from_utf8(rest) {
                    Ok(t) => t.to_owned(),
                    Err(_) => return,
                }
            } else {
                use base64::Engine as _;
                let b64 = base64::engine::general_purpose::STANDARD.encode(rest);
                let escaped = b64
                    .replace('+', "%2B")
                    .replace('/', "%2F")
                    .replace('=', "%3D");
                format!("otpauth-migration://offline?data={escaped}")
            };
            if let Ok(batch) = migration::decode(&text, 0) {
                for a in &batch.accounts {
                    let _ = uri::format(a);
                }
            }
        }
        "base32" => {
            let Ok(text) = std::str::from_utf8(data) else {
                return;
            };
            if let Ok(secret) = SecretBytes::from_base32(text) {
                let again = SecretBytes::from_base32(secret.to_base32().expose()).unwrap();
                assert_eq!(again, secret);
            }
        }
        "vault_header" => {
            let _ = vault_format::check_magic_and_version(data);
            if let Ok(parsed) = vault_format::parse(data) {
                assert_eq!(parsed.header.encode_prefix(), parsed.aad);
            }
        }
        "vault_open" => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.twofold");
            std::fs::write(&path, data).unwrap();
            let keystore = MemoryKeyStore::new();
            for unlock in [
                Unlock::Password(password.clone()),
                Unlock::RecoveryKey(SecretString::from(SAMPLE_RECOVERY_KEY)),
                Unlock::Keychain,
            ] {
                let _ = VaultFile::open(&path, &unlock, &keystore);
            }
            let _ = VaultFile::inspect(&path);
        }
        "qr_image" => {
            let limits = qr::Limits {
                max_file_bytes: 1024 * 1024,
                max_dim: 1024,
                max_alloc: 16 * 1024 * 1024,
                time_budget: std::time::Duration::from_secs(2),
            };
            assert!(!matches!(
                qr::decode_image_bytes_with(data, &limits),
                Err(qr::QrError::Panicked)
            ));
        }
        "import_any" => {
            if let Ok(importer) = formats::detect(data) {
                let _ = importer.is_encrypted(data);
            }
            for pw in [None, Some(&password)] {
                if let Ok((_, imported)) = formats::import_any(data, None, pw, 0) {
                    assert!(imported.accounts.len() + imported.skipped.len() <= 2 * MAX_ENTRIES);
                    for a in &imported.accounts {
                        let _ = uri::format(a);
                    }
                }
            }
        }
        "import_each" => {
            let Some((&pick, input)) = data.split_first() else {
                return;
            };
            let importer = IMPORTERS[usize::from(pick) % IMPORTERS.len()];
            let _ = importer.detect(input);
            let _ = importer.is_encrypted(input);
            for pw in [None, Some(&password)] {
                if let Ok(imported) = importer.import(input, pw, 0) {
                    for a in &imported.accounts {
                        let _ = uri::format(a);
                    }
                }
            }
        }
        "backup_read" => {
            let Some((&mode, rest)) = data.split_first() else {
                return;
            };
            if mode & 1 == 1 {
                if let Ok(imported) = backup::from_json(rest, 0) {
                    let again = backup::from_json(&backup::to_json(&imported.accounts, 0), 0)
                        .expect("a backup we wrote reads back");
                    assert_eq!(again.accounts.len(), imported.accounts.len());
                }
            } else if let Ok(plain) = backup::decrypt(rest, &password) {
                let _ = backup::from_json(&plain, 0);
            }
        }
        other => panic!("unknown fuzz target {other:?}"),
    }
}

/// The recovery key of tests/fixtures/vault/sample-v1.twofold (its README).
const SAMPLE_RECOVERY_KEY: &str = "YVGZ-PUPN-QERX-3MQC-LU72-RPLB-3II6-GAPU";

#[test]
fn crash_inputs_stay_fixed() {
    let dir = fuzz_dir().join("regressions");
    let mut replayed = 0;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.contains(&name.as_str()),
                "regressions/{name} is not a fuzz target"
            );
        }
    }
    for target in TARGETS {
        for (path, data) in inputs("regressions", target) {
            eprintln!("replaying {}", path.display());
            run(target, &data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} crash inputs replayed");
}

/// The list above, the fuzz crate's `[[bin]]`s and scripts/fuzz.sh's list name the same
/// targets, so a new target cannot miss its regression replay or its CI run.
#[test]
fn targets_match_the_fuzz_crate_and_script() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fuzz.sh"),
    )
    .unwrap();
    let script_list = script
        .lines()
        .find_map(|l| l.strip_prefix("all_targets=("))
        .and_then(|l| l.strip_suffix(')'))
        .expect("fuzz.sh defines all_targets");
    let mut in_script: Vec<&str> = script_list.split_whitespace().collect();
    let mut in_manifest: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "twofold-core-fuzz")
        .collect();
    let mut expected = TARGETS.to_vec();
    expected.sort_unstable();
    in_script.sort_unstable();
    in_manifest.sort_unstable();
    assert_eq!(in_script, expected, "scripts/fuzz.sh all_targets");
    assert_eq!(
        in_manifest, expected,
        "crates/core/fuzz/Cargo.toml [[bin]] names"
    );
    for t in TARGETS {
        assert!(
            fuzz_dir().join(format!("fuzz_targets/{t}.rs")).is_file(),
            "fuzz_targets/{t}.rs"
        );
    }
}

#[test]
fn committed_seed_corpus_runs_clean() {
    if std::env::var_os("TWOFOLD_WRITE_FUZZ_CORPUS").is_some() {
        // The other test is rewriting the corpus right now.
        return;
    }
    for target in TARGETS {
        let seeds = inputs("corpus", target);
        assert!(!seeds.is_empty(), "corpus/{target} has no seeds");
        for (path, data) in seeds {
            eprintln!("seed {}", path.display());
            run(target, &data);
        }
    }
}

// ---- the seed corpus, made from our own code ----

fn sample_accounts() -> Vec<Account> {
    let secret = |s: &str| SecretBytes::from_base32(s).unwrap();
    let mut a = Account::new(
        "Example",
        "alice@example.com",
        secret("JBSWY3DPEHPK3PXP"),
        Kind::Totp {
            period: Period::THIRTY,
        },
        NOW,
    );
    a.tags = vec!["work".into()];
    a.notes = "first account".into();
    let mut b = Account::new(
        "Bänk",
        "bob",
        secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        Kind::Hotp { counter: 7 },
        NOW,
    );
    b.algorithm = Algorithm::Sha256;
    b.digits = Digits::EIGHT;
    let mut c = Account::new(
        "Site",
        "carol",
        secret("KRSXG5CTMVRXEZLU"),
        Kind::Totp {
            period: Period::new(60).unwrap(),
        },
        NOW,
    );
    c.algorithm = Algorithm::Sha512;
    c.digits = Digits::new(7).unwrap();
    let d = Account::new(
        "Steam",
        "dave",
        secret("STEAMSECRETBASE32AAAAAAA"),
        Kind::Steam,
        NOW,
    );
    vec![a, b, c, d]
}

/// Hand-written files in each format's documented shape (formats.md), one account each.
fn handwritten() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    vec![
        ("2fas", "2fas.json", br#"{"schemaVersion":4,"appVersionCode":5000000,"services":[{"name":"Example","secret":"JBSWY3DPEHPK3PXP","otp":{"label":"alice","account":"alice","issuer":"Example","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP","source":"Manual"},"order":{"position":0}}],"groups":[]}"#.to_vec()),
        ("bitwarden", "bitwarden.json", format!(r#"{{"encrypted":false,"folders":[],"items":[{{"id":"1","type":1,"name":"Example","login":{{"username":"alice","password":null,"totp":"{uri}"}}}},{{"id":"2","type":1,"name":"Steam","login":{{"totp":"steam://JBSWY3DPEHPK3PXP"}}}}]}}"#).into_bytes()),
        ("bitwarden", "bitwarden.csv", format!("folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n,,login,Example,,,0,,alice,,{uri}\n").into_bytes()),
        ("andotp", "andotp.json", br#"[{"secret":"JBSWY3DPEHPK3PXP","issuer":"Example","label":"alice","digits":6,"type":"TOTP","algorithm":"SHA1","thumbnail":"Default","last_used":0,"used_frequency":0,"period":30,"tags":[]}]"#.to_vec()),
        ("freeotp-plus", "freeotp_plus.json", br#"{"tokenOrder":["Example:alice"],"tokens":[{"algo":"SHA1","counter":0,"digits":6,"issuerExt":"Example","label":"alice","period":30,"secret":[72,101,108,108,111,33,-34,-83,-66,-17],"type":"TOTP"}]}"#.to_vec()),
        ("proton", "proton.json", format!(r#"{{"version":1,"entries":[{{"id":"1","content":{{"uri":"{uri}","entry_type":"Totp","name":"alice"}},"note":null}}]}}"#).into_bytes()),
        ("stratum", "stratum.json", br#"{"Authenticators":[{"Type":2,"Icon":"google","Issuer":"Example","Username":"alice","Secret":"JBSWY3DPEHPK3PXP","Pin":null,"Algorithm":1,"Digits":7,"Period":60,"Counter":0,"Ranking":1},{"Type":1,"Issuer":"Hotp","Username":null,"Secret":"GEZDGNBV","Algorithm":0,"Digits":6,"Counter":3,"Ranking":2}],"Categories":[{"Id":"0a1b2c3d","Name":"Work","Ranking":0}],"AuthenticatorCategories":[{"CategoryId":"0a1b2c3d","AuthenticatorSecret":"JBSWY3DPEHPK3PXP","Ranking":0}],"CustomIcons":[]}"#.to_vec()),
        ("steam", "steam.json", br#"{"accounts":{"1":{"shared_secret":"AAECAwQFBgcICQoLDA0ODw==","account_name":"dave","steamid":"1"}}}"#.to_vec()),
        ("steam", "steam.mafile", br#"{"shared_secret":"AAECAwQFBgcICQoLDA0ODw==","account_name":"dave","revocation_code":"R1","Session":{"SteamID":1}}"#.to_vec()),
        ("uris", "uris.txt", format!("{uri}\notpauth://hotp/Bank:bob?secret=GEZDGNBV&counter=3\n").into_bytes()),
    ]
}

/// Stratum's encrypted forms, made with the format's own parameters (formats.md §9).
fn stratum_encrypted(plain: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    use aes_gcm::aead::{Aead, KeyInit};
    use cbc::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
    let password = b"test";
    let salt = [7u8; 16];
    let iv = [9u8; 12];
    let params = argon2::Params::new(64 * 1024, 3, 4, Some(32)).unwrap();
    let mut key = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password, &salt, &mut key)
        .unwrap();
    let ct = aes_gcm::Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .encrypt(aes_gcm::Nonce::from_slice(&iv), plain)
        .unwrap();
    let gcm = [b"AUTHENTICATORPRO".as_slice(), &salt, &iv, &ct].concat();

    let salt = [5u8; 20];
    let iv = [3u8; 16];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, &salt, 64_000, &mut key);
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + 16, 0);
    let ct = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv)
        .unwrap()
        .encrypt_padded_mut::<Pkcs7>(&mut buf, plain.len())
        .unwrap()
        .to_vec();
    let legacy = [b"AuthenticatorPro".as_slice(), &salt, &iv, &ct].concat();
    vec![("stratum.bin", gcm), ("stratum_legacy.bin", legacy)]
}

fn importer_index(id: &str) -> u8 {
    let i = IMPORTERS
        .iter()
        .position(|imp| imp.id() == id)
        .unwrap_or_else(|| panic!("no importer {id}"));
    u8::try_from(i).unwrap()
}

/// target → (file name, content).
fn seed_corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let accounts = sample_accounts();
    let mut seeds: Vec<(&'static str, String, Vec<u8>)> = Vec::new();
    // One file for import_any, and for import_each behind the byte that picks its importer.
    fn both(
        seeds: &mut Vec<(&'static str, String, Vec<u8>)>,
        id: &str,
        name: String,
        bytes: Vec<u8>,
    ) {
        let mut each = vec![importer_index(id)];
        each.extend_from_slice(&bytes);
        seeds.push(("import_each", name.clone(), each));
        seeds.push(("import_any", name, bytes));
    }

    // Our exporters' files (the ones that work today; a stub's error just leaves it out).
    let password = SecretString::from("test");
    for exporter in formats::EXPORTERS {
        // The Twofold backup exporter's age work factor (2^18) would make every fuzzed
        // variant of its file cost a second: that one is made below with 2^2.
        if exporter.id() == "twofold" {
            continue;
        }
        let pw = exporter.encrypted().then_some(&password);
        let Ok(files) = exporter.export(&accounts, pw, NOW) else {
            continue;
        };
        let importer = formats::detect(&files[0].bytes).map(|i| i.id());
        for (n, f) in files.iter().enumerate().take(2) {
            if f.bytes.len() > 64 * 1024 || f.suffix.ends_with(".png") {
                continue;
            }
            if let Ok(id) = importer {
                both(
                    &mut seeds,
                    id,
                    format!("export-{}-{n}", exporter.id()),
                    f.bytes.to_vec(),
                );
            }
        }
    }
    for (id, name, bytes) in handwritten() {
        if id == "stratum" {
            for (enc_name, enc) in stratum_encrypted(&bytes) {
                both(&mut seeds, id, enc_name.to_owned(), enc);
            }
        }
        both(&mut seeds, id, name.to_owned(), bytes);
    }

    // Twofold backups: the JSON (mode 1) and age with a small work factor (mode 0).
    let json = backup::to_json(&accounts, NOW);
    seeds.push(("backup_read", "json".into(), [&[1u8][..], &json].concat()));
    if let Ok(age) = backup::encrypt_with_work_factor(&json, &password, 2) {
        seeds.push(("backup_read", "age".into(), [&[0u8][..], &age].concat()));
        both(&mut seeds, "twofold", "twofold.age".into(), age);
    }

    // URIs, migration payloads, base32, a QR code.
    for (n, a) in accounts.iter().enumerate() {
        seeds.push((
            "otpauth_uri",
            format!("uri-{n}"),
            uri::format(a).expose().into(),
        ));
        seeds.push((
            "base32",
            format!("b32-{n}"),
            a.secret.to_base32().expose().into(),
        ));
    }
    seeds.push((
        "base32",
        "lenient".into(),
        b"jbsw y3dp-ehpk 3pxp====".to_vec(),
    ));
    // Google's transfer format carries TOTP with 30 s periods and HOTP only.
    let refs: Vec<&Account> = accounts
        .iter()
        .filter(|a| {
            matches!(a.kind, Kind::Hotp { .. })
                || a.kind
                    == Kind::Totp {
                        period: Period::THIRTY,
                    }
        })
        .collect();
    for (n, m) in migration::encode(&refs, 42)
        .expect("our accounts encode")
        .iter()
        .enumerate()
    {
        seeds.push((
            "migration",
            format!("text-{n}"),
            [b"\x01", m.expose().as_bytes()].concat(),
        ));
    }
    let png = qr::encode_png(uri::format(&accounts[0]).expose(), 2).expect("a small QR code");
    seeds.push(("qr_image", "otpauth.png".into(), png));

    // The sample vault of docs/vault.md.
    let vault = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/vault/sample-v1.twofold"),
    )
    .expect("the sample vault");
    seeds.push(("vault_header", "sample-v1.twofold".into(), vault.clone()));
    seeds.push(("vault_open", "sample-v1.twofold".into(), vault));
    seeds
}

#[test]
fn seed_corpus_covers_every_target_and_our_files_import() {
    let seeds = seed_corpus();
    for target in TARGETS {
        assert!(
            seeds.iter().any(|(t, _, _)| t == target),
            "no seed for {target}"
        );
    }
    // Our own Stratum and Steam files are detected and import cleanly with "test".
    let password = SecretString::from("test");
    for (target, name, bytes) in &seeds {
        if *target != "import_any" || !(name.starts_with("stratum") || name.starts_with("steam")) {
            continue;
        }
        let (importer, imported) = formats::import_any(bytes, None, Some(&password), NOW)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = if name.starts_with("stratum") {
            "stratum"
        } else {
            "steam"
        };
        assert_eq!(importer.id(), want, "{name}");
        assert!(
            !imported.accounts.is_empty() && imported.skipped.is_empty(),
            "{name}"
        );
    }
    if std::env::var_os("TWOFOLD_WRITE_FUZZ_CORPUS").is_some() {
        let root = fuzz_dir().join("corpus");
        for target in TARGETS {
            let dir = root.join(target);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
        }
        for (target, name, bytes) in &seeds {
            std::fs::write(root.join(target).join(name), bytes).unwrap();
        }
        eprintln!("wrote {} seeds under {}", seeds.len(), root.display());
    }
}
