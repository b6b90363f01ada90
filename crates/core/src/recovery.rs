//! Recovery codes, the backup codes a site hands out at 2FA setup: how pasted text is split
//! into codes, when two codes are the same, and how lists of codes are added to and merged.
//! One rule for the CLI, the app and every import path (issue 10 §2; docs/reference/STYLE.md §10).
//!
//! Splitting ([`parse`]): one code per line, or several on a line separated by tabs, commas,
//! semicolons or two or more spaces. A single space stays inside a code, because sites print
//! codes such as Google's `1234 5678` with one. List numbering (`1.`, `2)`) and bullets
//! (`-`, `*`, `•`) in front of a code are dropped.
//!
//! Sameness ([`normalize`]): case, spaces and dashes do not matter (`AB12-cd34` is `ab12 CD34`).

use zeroize::Zeroizing;

use crate::account::{check_count, check_len, limits, FieldError, RecoveryCode};
use crate::secret::SecretString;

/// The codes in `text` as pasted from a site (see the module doc for the rule), in order.
/// Empty pieces are dropped; duplicates are kept (see [`add`]).
pub fn parse(text: &str) -> Vec<SecretString> {
    let mut out = Vec::new();
    for line in text.lines() {
        for piece in split_line(line) {
            let code = strip_marker(piece.trim()).trim();
            if !code.is_empty() {
                out.push(SecretString::from(code));
            }
        }
    }
    out
}

/// A line's pieces: split at tabs, commas, semicolons and runs of two or more spaces.
fn split_line(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let double_space = b == b' ' && bytes.get(i + 1) == Some(&b' ');
        if b == b'\t' || b == b',' || b == b';' || double_space {
            pieces.push(&line[start..i]);
            // Skip the whole run of separators.
            while i < bytes.len() && matches!(bytes[i], b'\t' | b',' | b';' | b' ') {
                i += 1;
            }
            start = i;
            continue;
        }
        i += 1;
    }
    pieces.push(&line[start..]);
    pieces
}

/// `code` without a leading list number (`1.` / `12)`) or bullet (`-`, `*`, `•`) that is
/// followed by a space.
fn strip_marker(code: &str) -> &str {
    for bullet in ["- ", "* ", "• "] {
        if let Some(rest) = code.strip_prefix(bullet) {
            return rest;
        }
    }
    let digits = code.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &code[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return rest;
        }
    }
    code
}

/// The form two codes are compared in: no whitespace or dashes, lower case. Wiped on drop.
pub fn normalize(code: &str) -> Zeroizing<String> {
    Zeroizing::new(
        code.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect(),
    )
}

/// Adds `new` codes to `codes`, skipping ones already there (by [`normalize`]), and returns
/// how many were added. Nothing is added when the result would break a limit.
///
/// # Errors
/// [`FieldError`] when a code is too long or the list would hold more than
/// [`limits::MAX_RECOVERY_CODES`].
pub fn add(codes: &mut Vec<RecoveryCode>, new: Vec<SecretString>) -> Result<usize, FieldError> {
    let mut seen: Vec<Zeroizing<String>> =
        codes.iter().map(|r| normalize(r.code.expose())).collect();
    let mut fresh = Vec::new();
    for code in new {
        check_len(
            "recovery code",
            code.expose(),
            limits::MAX_RECOVERY_CODE_LEN,
        )?;
        let n = normalize(code.expose());
        if n.is_empty() || seen.contains(&n) {
            continue;
        }
        seen.push(n);
        fresh.push(RecoveryCode {
            code,
            used: false,
            used_at: None,
        });
    }
    check_count(
        "recovery codes",
        codes.len() + fresh.len(),
        limits::MAX_RECOVERY_CODES,
    )?;
    let added = fresh.len();
    codes.extend(fresh);
    Ok(added)
}

/// The position of the code `query` names in `codes`: the code itself (by [`normalize`]),
/// else its number in the list, counted from 1.
pub fn find(codes: &[RecoveryCode], query: &str) -> Option<usize> {
    let wanted = normalize(query);
    codes
        .iter()
        .position(|r| normalize(r.code.expose()) == wanted)
        .or_else(|| {
            query
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|i| (1..=codes.len()).contains(i))
                .map(|i| i - 1)
        })
}

/// `ours` with `theirs` merged in: every code of either list once (ours first, in order,
/// then theirs that are new), a code used in either list is used, with the earlier
/// `used_at`. Used marks are never lost: spending a code cannot be undone at the site.
pub fn merge(ours: &[RecoveryCode], theirs: &[RecoveryCode]) -> Vec<RecoveryCode> {
    let mut out: Vec<RecoveryCode> = ours.to_vec();
    for t in theirs {
        let n = normalize(t.code.expose());
        match out.iter_mut().find(|o| normalize(o.code.expose()) == n) {
            Some(o) => {
                if t.used {
                    o.used_at = match (o.used, o.used_at, t.used_at) {
                        (true, Some(a), Some(b)) => Some(a.min(b)),
                        (true, a, b) => a.or(b),
                        (false, _, b) => b,
                    };
                    o.used = true;
                }
            }
            None => out.push(t.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: Vec<SecretString>) -> Vec<String> {
        v.iter().map(|s| s.expose().to_owned()).collect()
    }

    /// The splitting rule as a table: what a user pastes, and the codes stored.
    pub(crate) const PARSE_CASES: &[(&str, &[&str])] = &[
        ("1234 5678", &["1234 5678"]),
        ("1234 5678\n2345 6789\n", &["1234 5678", "2345 6789"]),
        (
            "abcde-12345\r\nfghij-67890",
            &["abcde-12345", "fghij-67890"],
        ),
        ("aaaa, bbbb; cccc\tdddd", &["aaaa", "bbbb", "cccc", "dddd"]),
        ("aaaa-1111    bbbb-2222", &["aaaa-1111", "bbbb-2222"]),
        ("1. 1234 5678\n2) 2345 6789", &["1234 5678", "2345 6789"]),
        ("- x1y2\n* z3w4\n• q5r6", &["x1y2", "z3w4", "q5r6"]),
        ("12345678", &["12345678"]),
        ("  \n\n ,; ", &[]),
    ];

    #[test]
    fn parse_follows_the_table() {
        for (text, want) in PARSE_CASES {
            assert_eq!(texts(parse(text)), *want, "{text:?}");
        }
    }

    #[test]
    fn add_skips_known_codes_and_keeps_limits() {
        let mut codes = Vec::new();
        let n = add(&mut codes, parse("AB12-cd34\nab12 CD34\nzz99")).unwrap();
        assert_eq!((n, codes.len()), (2, 2));
        let long = SecretString::from("x".repeat(limits::MAX_RECOVERY_CODE_LEN + 1).as_str());
        assert!(matches!(
            add(&mut codes, vec![long]),
            Err(FieldError::TooLong { .. })
        ));
        let many: Vec<SecretString> = (0..limits::MAX_RECOVERY_CODES)
            .map(|i| SecretString::from(format!("c{i}").as_str()))
            .collect();
        assert!(matches!(
            add(&mut codes, many),
            Err(FieldError::TooMany { .. })
        ));
        assert_eq!(codes.len(), 2, "a refused batch adds nothing");
    }

    #[test]
    fn find_by_text_then_by_number() {
        let mut codes = Vec::new();
        add(&mut codes, parse("aaaa-1111\n2")).unwrap();
        assert_eq!(find(&codes, "AAAA 1111"), Some(0));
        assert_eq!(find(&codes, "2"), Some(1), "the code \"2\" itself wins");
        assert_eq!(find(&codes, "1"), Some(0));
        assert_eq!(find(&codes, "3"), None);
    }

    #[test]
    fn merge_unions_codes_and_keeps_used_marks() {
        let code = |c: &str, used: Option<i64>| RecoveryCode {
            code: SecretString::from(c),
            used: used.is_some(),
            used_at: used,
        };
        let ours = vec![code("aaaa", Some(50)), code("bbbb", None)];
        let theirs = vec![
            code("AAAA", Some(40)),
            code("bbbb", Some(60)),
            code("cccc", None),
        ];
        let m = merge(&ours, &theirs);
        let view: Vec<(String, bool, Option<i64>)> = m
            .iter()
            .map(|r| (r.code.expose().to_owned(), r.used, r.used_at))
            .collect();
        assert_eq!(
            view,
            [
                ("aaaa".to_owned(), true, Some(40)),
                ("bbbb".to_owned(), true, Some(60)),
                ("cccc".to_owned(), false, None)
            ]
        );
        // Unused in theirs never un-uses ours.
        let m = merge(&theirs, &[code("aaaa", None)]);
        assert!(m[0].used);
    }
}
