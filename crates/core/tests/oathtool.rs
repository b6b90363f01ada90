//! Cross-check of `otp` against the `oathtool` binary (OATH Toolkit) over seeded random cases.
//! `#[ignore]`d in a plain `cargo test`; fails, never skips, when `oathtool` is missing
//! (scripts/setup.sh installs it, scripts/test.sh runs these).

use std::process::Command;

use twofold_core::otp::{hotp, totp};
use twofold_core::{uri, Algorithm, Digits, Kind, Period};

/// A tiny xorshift64* generator: deterministic, so a failure names a reproducible seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SEED: u64 = 0x7F0F_01D5_EED5_0001;
const CASES: usize = 1000;
/// oathtool prints this many consecutive codes per call (`-w`), each checked.
const WINDOW: u64 = 2;

fn oathtool(args: &[String]) -> Vec<String> {
    let out = Command::new("oathtool").args(args).output().unwrap_or_else(|e| {
        panic!("cannot run oathtool ({e}): scripts/setup.sh installs it; this test must not be skipped")
    });
    assert!(
        out.status.success(),
        "oathtool {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Case {
    secret: Vec<u8>,
    algorithm: Algorithm,
    digits: Digits,
    /// `None` for HOTP.
    period: Option<Period>,
    /// Counter (HOTP) or unix time (TOTP).
    moving: u64,
}

impl Case {
    fn random(rng: &mut XorShift) -> Case {
        // 1 to 64 bytes: covers 80-bit secrets and keys longer than a SHA-1 block.
        let len = 1 + rng.below(64) as usize;
        let secret = (0..len).map(|_| rng.next() as u8).collect();
        let algorithm =
            [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][rng.below(3) as usize];
        let digits = Digits::new(6 + rng.below(3) as u32).unwrap();
        let hotp = rng.below(2) == 0;
        let period = (!hotp).then(|| {
            let p = match rng.below(4) {
                0 => 30,
                1 => 60,
                2 => 1,
                _ => 1 + rng.below(86_400),
            };
            Period::new(p).unwrap()
        });
        // Up to 2^40: beyond 2038 and, for HOTP, large counters.
        let moving = rng.below(1 << 40);
        Case {
            secret,
            algorithm,
            digits,
            period,
            moving,
        }
    }

    fn ours(&self, offset: u64) -> String {
        match self.period {
            None => hotp(
                &self.secret,
                self.moving + offset,
                self.algorithm,
                self.digits,
            )
            .unwrap(),
            Some(p) => {
                let t = self.moving + offset * u64::from(p.seconds());
                totp(&self.secret, t, p, self.algorithm, self.digits).unwrap()
            }
        }
    }

    fn oathtool_args(&self) -> Vec<String> {
        let alg = self.algorithm.as_str().to_ascii_lowercase();
        let mut args = match self.period {
            // oathtool's `--hotp` is SHA-1 only.
            None if self.algorithm == Algorithm::Sha1 => {
                vec!["--hotp".into(), "-c".into(), self.moving.to_string()]
            }
            // Other HOTP algorithms: TOTP with a 1 s step at time = counter is RFC 4226 HOTP
            // (RFC 6238 §4.2, T0 = 0), computed by oathtool's own TOTP path.
            None => vec![
                format!("--totp={alg}"),
                "-s".into(),
                "1s".into(),
                "-N".into(),
                format!("@{}", self.moving),
            ],
            Some(p) => vec![
                format!("--totp={alg}"),
                "-s".into(),
                format!("{}s", p.seconds()),
                "-N".into(),
                format!("@{}", self.moving),
            ],
        };
        args.extend([
            "-d".into(),
            self.digits.get().to_string(),
            "-w".into(),
            (WINDOW - 1).to_string(),
            hex(&self.secret),
        ]);
        args
    }
}

#[test]
#[ignore = "needs oathtool; run by scripts/test.sh"]
fn matches_oathtool_on_random_cases() {
    let mut rng = XorShift(SEED);
    let cases: Vec<Case> = (0..CASES).map(|_| Case::random(&mut rng)).collect();
    // Two threads: the machine has two cores, and each case is one process spawn.
    let (a, b) = cases.split_at(CASES / 2);
    let run = |part: &[Case]| {
        let mut n = 0;
        for (i, case) in part.iter().enumerate() {
            let args = case.oathtool_args();
            let theirs = oathtool(&args);
            assert_eq!(theirs.len() as u64, WINDOW, "oathtool {args:?}");
            for (offset, code) in theirs.iter().enumerate() {
                assert_eq!(
                    &case.ours(offset as u64),
                    code,
                    "case {i} (seed {SEED:#x}), offset {offset}: oathtool {args:?}"
                );
                n += 1;
            }
        }
        n
    };
    let checked: usize = std::thread::scope(|s| {
        let h = s.spawn(|| run(a));
        run(b) + h.join().unwrap()
    });
    assert_eq!(checked, CASES * WINDOW as usize);
}

/// The `generate` Done-when URI: RFC 6238's SHA-1 seed, 8 digits.
const DONE_WHEN_URI: &str =
    "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=8";

/// The `generate` Done-when vector: RFC 6238's SHA-1 seed, 8 digits, t = 59 (the half of the
/// oathtool check below that needs no oathtool).
#[test]
fn done_when_vector() {
    let account = uri::parse(DONE_WHEN_URI, 0).unwrap();
    assert_eq!(
        (account.issuer.as_str(), account.name.as_str()),
        ("ACME", "alice")
    );
    assert_eq!(
        account.kind,
        Kind::Totp {
            period: Period::THIRTY
        }
    );
    let ours = twofold_core::otp::code_at(&account, 59).unwrap().code;
    assert_eq!(ours, "94287082");
}

/// The same vector from oathtool.
#[test]
#[ignore = "needs oathtool; run by scripts/test.sh"]
fn done_when_vector_matches_oathtool() {
    let account = uri::parse(DONE_WHEN_URI, 0).unwrap();
    let theirs = oathtool(&[
        "--totp".into(),
        "-d".into(),
        "8".into(),
        "-N".into(),
        "@59".into(),
        hex(account.secret.expose()),
    ]);
    assert_eq!(theirs, vec!["94287082".to_owned()]);
}
