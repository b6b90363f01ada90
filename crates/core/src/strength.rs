//! How strong a new export or backup password is (security.md B2): accepted when zxcvbn scores
//! it at least [`MIN_SCORE`] out of 4. This is the one rule: the CLI enforces it, and the app's
//! forms and meter ask Rust for it (`password_strength`), so what the window calls strong
//! enough is exactly what the export accepts (issue 10 §2). Backups are attacked offline, so
//! the bar is checked in Rust for every front end, not only shown in the UI.
//!
//! Length alone is not enough (issue 11 item 10): fourteen `a`s are fourteen characters and
//! zxcvbn guesses them at once. The shared table of cases is `tests/fixtures/strength.json`.

use crate::secret::SecretString;

/// The lowest zxcvbn score accepted (3 = "safely unguessable: 10^10 guesses or more").
pub const MIN_SCORE: u8 = 3;

/// zxcvbn's cost grows with length: longer passwords are judged on their first this many
/// characters (a longer one only gets stronger).
const JUDGED_CHARS: usize = 256;

/// Why a password was refused. Never carries the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the password is too weak (strength {score} of 4, need {MIN_SCORE}): use a longer passphrase, e.g. four or five unrelated words{}",
    hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default()
)]
pub struct WeakPassword {
    /// zxcvbn's score, 0 to 4.
    pub score: u8,
    /// zxcvbn's warning, if it has one ("This is a top-10 common password").
    pub hint: Option<String>,
}

/// A password's strength, for a meter: the score, whether it is accepted, and why not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assessment {
    /// zxcvbn's score, 0 to 4.
    pub score: u8,
    /// Whether [`check`] accepts it.
    pub accepted: bool,
    /// Why not, when it is refused (never the password).
    pub message: Option<String>,
}

/// zxcvbn's score for `password`, 0 to 4. `user_inputs` are words the password should not
/// lean on (the vault's issuers, the user's name).
pub fn score(password: &SecretString, user_inputs: &[&str]) -> u8 {
    assess(password, user_inputs).score
}

/// The strength of `password` for a meter and a form: [`check`]'s verdict with the score.
pub fn assess(password: &SecretString, user_inputs: &[&str]) -> Assessment {
    match check(password, user_inputs) {
        Ok(score) => Assessment {
            score,
            accepted: true,
            message: None,
        },
        Err(weak) => Assessment {
            score: weak.score,
            accepted: false,
            message: Some(weak.to_string()),
        },
    }
}

/// `Ok(score)` when `password` is strong enough for a backup or an encrypted export.
///
/// # Errors
/// [`WeakPassword`] with the score and zxcvbn's hint.
pub fn check(password: &SecretString, user_inputs: &[&str]) -> Result<u8, WeakPassword> {
    let judged: String = password.expose().chars().take(JUDGED_CHARS).collect();
    let judged = zeroize::Zeroizing::new(judged);
    if judged.is_empty() {
        return Err(WeakPassword {
            score: 0,
            hint: None,
        });
    }
    let entropy = zxcvbn::zxcvbn(&judged, user_inputs);
    let score = u8::from(entropy.score());
    if score >= MIN_SCORE {
        return Ok(score);
    }
    let hint = entropy
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| w.to_string());
    Err(WeakPassword { score, hint })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_short_passwords_are_refused_with_a_reason() {
        for weak in ["", "test", "password1", "qwertyuiop", "Summer2024"] {
            let err = check(&SecretString::from(weak), &[]).unwrap_err();
            assert!(err.score < MIN_SCORE, "{weak:?}");
            let text = err.to_string();
            assert!(text.contains("too weak"), "{text}");
            assert!(weak.is_empty() || !text.contains(weak), "{text}");
        }
    }

    #[test]
    fn long_or_unguessable_passwords_are_accepted() {
        for strong in [
            "a long backup passphrase",
            "correct horse battery staple",
            "tX9#qLm2$vR",
        ] {
            assert!(
                check(&SecretString::from(strong), &[]).is_ok(),
                "{strong:?}"
            );
        }
        assert!(score(&SecretString::from("tX9#qLm2$vR"), &[]) >= MIN_SCORE);
    }

    /// The shared table (tests/fixtures/strength.json): the app's IPC test reads it too.
    #[test]
    fn shared_table_of_cases() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/strength.json")).unwrap();
        let cases = table["cases"].as_array().unwrap();
        assert!(cases.len() >= 10);
        for case in cases {
            let pw = case["password"].as_str().unwrap();
            let want = case["accepted"].as_bool().unwrap();
            let got = assess(&SecretString::from(pw), &[]);
            assert_eq!(got.accepted, want, "{pw:?}: {got:?}");
            assert_eq!(got.message.is_none(), want);
        }
    }

    #[test]
    fn user_inputs_lower_the_score() {
        let pw = SecretString::from("githubalice");
        assert!(score(&pw, &["github", "alice"]) <= score(&pw, &[]));
    }
}
