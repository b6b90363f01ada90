//! How strong a new export or backup password is (security.md B2): accepted when zxcvbn
//! (the estimator the app's meter uses too) scores it at least [`MIN_SCORE`] out of 4, or when
//! it has at least [`MIN_LENGTH`] characters. Backups are attacked offline, so the bar is
//! checked in Rust for every front end, not only shown in the UI.

use crate::secret::SecretString;

/// The lowest zxcvbn score accepted (3 = "safely unguessable: 10^10 guesses or more").
pub const MIN_SCORE: u8 = 3;

/// Passwords at least this long (in characters) are accepted whatever their score.
pub const MIN_LENGTH: usize = 14;

/// Why a password was refused. Never carries the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the password is too weak (strength {score} of 4, need {MIN_SCORE}): use at least {MIN_LENGTH} characters or a less guessable passphrase{}",
    hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default()
)]
pub struct WeakPassword {
    /// zxcvbn's score, 0 to 4.
    pub score: u8,
    /// zxcvbn's warning, if it has one ("This is a top-10 common password").
    pub hint: Option<String>,
}

/// zxcvbn's score for `password`, 0 to 4. `user_inputs` are words the password should not
/// lean on (the vault's issuers, the user's name).
pub fn score(password: &SecretString, user_inputs: &[&str]) -> u8 {
    u8::from(zxcvbn::zxcvbn(password.expose(), user_inputs).score())
}

/// `Ok` when `password` is strong enough for a backup or an encrypted export.
pub fn check(password: &SecretString, user_inputs: &[&str]) -> Result<(), WeakPassword> {
    if password.expose().chars().count() >= MIN_LENGTH {
        return Ok(());
    }
    let entropy = zxcvbn::zxcvbn(password.expose(), user_inputs);
    let score = u8::from(entropy.score());
    if score >= MIN_SCORE {
        return Ok(());
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

    #[test]
    fn user_inputs_lower_the_score() {
        let pw = SecretString::from("githubalice");
        assert!(score(&pw, &["github", "alice"]) <= score(&pw, &[]));
    }
}
