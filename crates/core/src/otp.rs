//! One-time codes: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard, as pure functions of a
//! secret and a counter or a time (`docs/reference/formats.md` §15).
//!
//! Nothing here reads the clock: callers pass `unix_time`, so front ends own "now" and tests
//! are deterministic. Nothing here advances or saves an HOTP counter either; that is the
//! vault's job ([`code_at`] only reads [`Kind::Hotp::counter`](crate::Kind::Hotp)).
//!
//! The HMAC and the dynamic truncation (RFC 4226 §5.3) come from totp-rs. HOTP is computed as
//! totp-rs' TOTP with a one-second step at "time" = counter, which is exactly RFC 4226: RFC 6238
//! §4.2 defines TOTP as HOTP with `T = floor(time / step)`. We validate inputs ourselves and use
//! totp-rs' non-strict builder, because totp-rs rejects secrets under 128 bits and real
//! services still issue 80-bit ones.

use totp_rs::{Algorithm as TotpAlgorithm, Builder, Totp};

use crate::account::{Account, Algorithm, Digits, Kind, Period};

/// Longest secret accepted, in bytes (security.md I1: fields ≤ 4 KiB).
pub const MAX_SECRET_LEN: usize = 4096;

/// Steam Guard's fixed time step, in seconds.
pub const STEAM_PERIOD: u32 = 30;

/// Number of characters in a Steam Guard code.
pub const STEAM_CHARS: usize = 5;

/// Why a code could not be computed. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// The secret has no bytes.
    #[error("secret is empty")]
    EmptySecret,
    /// The secret is longer than [`MAX_SECRET_LEN`].
    #[error("secret is {len} bytes long, expected at most {max}")]
    SecretTooLong {
        /// The secret's length in bytes.
        len: usize,
        /// The limit, [`MAX_SECRET_LEN`].
        max: usize,
    },
    /// The next counter or time step does not fit in 64 bits.
    #[error(
        "counter {counter} cannot be advanced, expected a value below {}",
        u64::MAX
    )]
    CounterOverflow {
        /// The counter that could not be incremented.
        counter: u64,
    },
}

/// A code together with the counter that produced it and, for time-based kinds, the window
/// in which it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The code as shown to the user: 6–8 digits, or 5 Steam characters.
    pub code: String,
    /// The moving factor: the HOTP counter, or the TOTP time step `floor(time / period)`.
    pub counter: u64,
    /// First second (unix time) at which the code is valid. `None` for HOTP.
    pub valid_from: Option<u64>,
    /// First second (unix time) at which the code is no longer valid (exclusive end;
    /// saturates at `u64::MAX`). `None` for HOTP.
    pub valid_until: Option<u64>,
}

fn check_secret(secret: &[u8]) -> Result<(), OtpError> {
    if secret.is_empty() {
        return Err(OtpError::EmptySecret);
    }
    if secret.len() > MAX_SECRET_LEN {
        return Err(OtpError::SecretTooLong {
            len: secret.len(),
            max: MAX_SECRET_LEN,
        });
    }
    Ok(())
}

fn totp_algorithm(algorithm: Algorithm) -> TotpAlgorithm {
    match algorithm {
        Algorithm::Sha1 => TotpAlgorithm::SHA1,
        Algorithm::Sha256 => TotpAlgorithm::SHA256,
        Algorithm::Sha512 => TotpAlgorithm::SHA512,
    }
}

/// Builds a totp-rs generator. `build_noncompliant` skips totp-rs' 128-bit minimum; its other
/// panicking cases (step 0, digits ≥ 10, Steam digits ≥ 7) are excluded by our types:
/// `step` is ≥ 1 and `digits` is 5 (Steam) or a [`Digits`] (6–8).
fn generator(secret: &[u8], algorithm: TotpAlgorithm, digits: u8, step: u64) -> Totp {
    Builder::new()
        .with_algorithm(algorithm)
        .with_digits(digits)
        .with_step_duration(step.max(1))
        .with_skew(0)
        .with_secret(secret)
        .build_noncompliant()
}

/// The code at `time` (a counter for HOTP), computed on a stack that is wiped afterwards: the
/// HMAC copies the key into blocks on the stack (security.md D5).
fn generate(secret: &[u8], algorithm: TotpAlgorithm, digits: u8, step: u64, time: u64) -> String {
    crate::secret::with_stack_wiped(|| {
        generator(secret, algorithm, digits, step)
            .generate(time)
            .to_string()
    })
}

/// An RFC 4226 HOTP code for `counter`.
///
/// # Errors
/// [`OtpError::EmptySecret`] or [`OtpError::SecretTooLong`].
pub fn hotp(
    secret: &[u8],
    counter: u64,
    algorithm: Algorithm,
    digits: Digits,
) -> Result<String, OtpError> {
    check_secret(secret)?;
    // RFC 6238 §4.2 with X = 1 and T0 = 0 gives T = counter: RFC 4226 HOTP.
    Ok(generate(
        secret,
        totp_algorithm(algorithm),
        digits.get(),
        1,
        counter,
    ))
}

/// An RFC 6238 TOTP code at `unix_time` (seconds since the epoch).
///
/// # Errors
/// [`OtpError::EmptySecret`] or [`OtpError::SecretTooLong`].
pub fn totp(
    secret: &[u8],
    unix_time: u64,
    period: Period,
    algorithm: Algorithm,
    digits: Digits,
) -> Result<String, OtpError> {
    check_secret(secret)?;
    Ok(generate(
        secret,
        totp_algorithm(algorithm),
        digits.get(),
        u64::from(period.seconds()),
        unix_time,
    ))
}

/// A Steam Guard code at `unix_time`: TOTP over HMAC-SHA-1 with a 30 s step, written as 5
/// characters of the alphabet `23456789BCDFGHJKMNPQRTVWXY`.
///
/// # Errors
/// [`OtpError::EmptySecret`] or [`OtpError::SecretTooLong`].
pub fn steam(secret: &[u8], unix_time: u64) -> Result<String, OtpError> {
    check_secret(secret)?;
    Ok(generate(
        secret,
        TotpAlgorithm::Steam,
        STEAM_CHARS as u8,
        u64::from(STEAM_PERIOD),
        unix_time,
    ))
}

/// The code of a time-based kind for time step `step`, with its validity window.
fn timed_code(account: &Account, period: Period, step: u64) -> Result<Code, OtpError> {
    let seconds = u64::from(period.seconds());
    // `step` is `floor(t / period)` for a u64 `t`, or one more than that, so the product fits
    // except at the very end of time; saturate there rather than panic.
    let valid_from = step.saturating_mul(seconds);
    let valid_until = valid_from.saturating_add(seconds);
    let secret = account.secret.expose();
    let code = match account.kind {
        Kind::Steam => steam(secret, valid_from)?,
        _ => totp(
            secret,
            valid_from,
            period,
            account.algorithm,
            account.digits,
        )?,
    };
    Ok(Code {
        code,
        counter: step,
        valid_from: Some(valid_from),
        valid_until: Some(valid_until),
    })
}

fn hotp_code(account: &Account, counter: u64) -> Result<Code, OtpError> {
    Ok(Code {
        code: hotp(
            account.secret.expose(),
            counter,
            account.algorithm,
            account.digits,
        )?,
        counter,
        valid_from: None,
        valid_until: None,
    })
}

/// The period of a time-based kind; Steam's is fixed.
fn steam_period() -> Period {
    // Invariant: 30 is within 1..=86400.
    Period::new(u64::from(STEAM_PERIOD)).unwrap_or(Period::THIRTY)
}

/// The account's code at `unix_time`.
///
/// For HOTP this is the code for the account's current counter; it does **not** advance the
/// counter (the vault does that, and saves it, when a code is used).
///
/// # Errors
/// [`OtpError::EmptySecret`] or [`OtpError::SecretTooLong`].
pub fn code_at(account: &Account, unix_time: u64) -> Result<Code, OtpError> {
    let period = match account.kind {
        Kind::Hotp { counter } => return hotp_code(account, counter),
        Kind::Totp { period } => period,
        Kind::Steam => steam_period(),
    };
    timed_code(account, period, unix_time / u64::from(period.seconds()))
}

/// The code that follows the one [`code_at`] returns: the next period's code for TOTP and
/// Steam (so a UI can show it ahead of time), the code for `counter + 1` for HOTP.
///
/// # Errors
/// [`OtpError::EmptySecret`], [`OtpError::SecretTooLong`], or [`OtpError::CounterOverflow`]
/// when the counter or time step is already `u64::MAX`.
pub fn next_code_at(account: &Account, unix_time: u64) -> Result<Code, OtpError> {
    let period = match account.kind {
        Kind::Hotp { counter } => {
            let next = counter
                .checked_add(1)
                .ok_or(OtpError::CounterOverflow { counter })?;
            return hotp_code(account, next);
        }
        Kind::Totp { period } => period,
        Kind::Steam => steam_period(),
    };
    let step = unix_time / u64::from(period.seconds());
    let next = step
        .checked_add(1)
        .ok_or(OtpError::CounterOverflow { counter: step })?;
    timed_code(account, period, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretBytes;

    const RFC_SEED: &[u8] = b"12345678901234567890";

    fn account(kind: Kind) -> Account {
        Account::new("ACME", "alice", SecretBytes::from_slice(RFC_SEED), kind, 0)
    }

    #[test]
    fn hotp_matches_rfc4226_appendix_d() {
        let expected = ["755224", "287082", "359152", "969429", "338314"];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                hotp(RFC_SEED, counter as u64, Algorithm::Sha1, Digits::SIX).unwrap(),
                *code
            );
        }
    }

    #[test]
    fn totp_matches_rfc6238_and_keeps_leading_zeros() {
        // RFC 6238 App. B, SHA1, T = 1111111109 -> 07081804 (leading zero kept).
        assert_eq!(
            totp(
                RFC_SEED,
                1_111_111_109,
                Period::THIRTY,
                Algorithm::Sha1,
                Digits::EIGHT
            )
            .unwrap(),
            "07081804"
        );
    }

    #[test]
    fn accepts_80_bit_secrets_that_totp_rs_strict_mode_rejects() {
        let code = totp(
            b"0123456789",
            59,
            Period::THIRTY,
            Algorithm::Sha1,
            Digits::SIX,
        )
        .unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn rejects_empty_and_oversized_secrets() {
        assert_eq!(
            hotp(&[], 0, Algorithm::Sha1, Digits::SIX),
            Err(OtpError::EmptySecret)
        );
        assert_eq!(steam(&[], 0), Err(OtpError::EmptySecret));
        let big = vec![7u8; MAX_SECRET_LEN + 1];
        assert_eq!(
            totp(&big, 0, Period::THIRTY, Algorithm::Sha1, Digits::SIX),
            Err(OtpError::SecretTooLong {
                len: MAX_SECRET_LEN + 1,
                max: MAX_SECRET_LEN
            })
        );
    }

    #[test]
    fn code_at_reports_the_validity_window() {
        let acc = account(Kind::Totp {
            period: Period::THIRTY,
        });
        let code = code_at(&acc, 59).unwrap();
        assert_eq!(code.counter, 1);
        assert_eq!(code.valid_from, Some(30));
        assert_eq!(code.valid_until, Some(60));
        assert_eq!(code.code, "287082");
        let next = next_code_at(&acc, 59).unwrap();
        assert_eq!(next.counter, 2);
        assert_eq!(next.valid_from, Some(60));
        assert_eq!(next.code, "359152");
    }

    #[test]
    fn hotp_code_at_does_not_advance_and_next_is_counter_plus_one() {
        let acc = account(Kind::Hotp { counter: 3 });
        let now = code_at(&acc, 123_456).unwrap();
        assert_eq!((now.code.as_str(), now.counter), ("969429", 3));
        assert_eq!((now.valid_from, now.valid_until), (None, None));
        assert_eq!(acc.kind, Kind::Hotp { counter: 3 });
        let next = next_code_at(&acc, 0).unwrap();
        assert_eq!((next.code.as_str(), next.counter), ("338314", 4));
    }

    #[test]
    fn next_code_reports_overflow_instead_of_panicking() {
        let acc = account(Kind::Hotp { counter: u64::MAX });
        assert_eq!(
            next_code_at(&acc, 0),
            Err(OtpError::CounterOverflow { counter: u64::MAX })
        );
        let acc = account(Kind::Totp {
            period: Period::new(1).unwrap(),
        });
        assert!(code_at(&acc, u64::MAX).is_ok());
        assert_eq!(
            next_code_at(&acc, u64::MAX),
            Err(OtpError::CounterOverflow { counter: u64::MAX })
        );
    }

    #[test]
    fn steam_codes_use_the_steam_alphabet() {
        let acc = account(Kind::Steam);
        let code = code_at(&acc, 1_700_000_000).unwrap();
        assert_eq!(code.code.chars().count(), STEAM_CHARS);
        assert!(code
            .code
            .chars()
            .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c)));
        assert_eq!(code.valid_until.unwrap() - code.valid_from.unwrap(), 30);
    }
}
