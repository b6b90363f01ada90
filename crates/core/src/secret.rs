//! Secret bytes and strings: zeroized on drop, redacted in `Debug`, never `Serialize`.
//!
//! Also owns base32 (RFC 4648 §6) as real apps need it: decoding is lenient about case,
//! padding, spaces and dashes, and about lengths that are not a multiple of 5 bytes
//! (`docs/reference/formats.md` §1, "What real importers tolerate"); encoding is canonical
//! upper case without padding, as otpauth URIs want.

use std::fmt;

use std::sync::LazyLock;

use zeroize::{Zeroize, Zeroizing};

/// RFC 4648 base32 that ignores non-zero trailing bits: real exports carry such secrets
/// (formats.md §1). Built once; building an encoding allocates its tables.
static LENIENT_BASE32: LazyLock<data_encoding::Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.check_trailing_bits = false;
    // Invariant: the specification above is a valid 32-symbol alphabet.
    spec.encoding().expect("valid base32 specification")
});

/// Why a base32 secret could not be decoded. Carries positions and characters, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base32Error {
    /// Nothing left once spaces, dashes and padding were removed.
    #[error("secret is empty")]
    Empty,
    /// A character outside the base32 alphabet (A–Z, 2–7).
    #[error("invalid base32 character {ch:?} at position {position}, expected A-Z or 2-7")]
    InvalidChar {
        /// The offending character. A single character of a secret does not reveal it.
        ch: char,
        /// Its position in the input, counting from 0.
        position: usize,
    },
    /// A length no base32 encoding can have (1, 3 or 6 characters in the last group).
    #[error("invalid base32 length: {len} characters cannot encode whole bytes")]
    InvalidLength {
        /// The number of alphabet characters after clean-up.
        len: usize,
    },
}

/// Secret bytes (an OTP key, a data key). Zeroized when dropped.
///
/// `Clone` makes a second zeroizing copy; prefer borrowing with [`SecretBytes::expose`].
#[derive(Clone, Default, PartialEq, Eq, zeroize::ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies `bytes`. The caller stays responsible for zeroizing its own copy.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The raw bytes. Keep the borrow short and never log it.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Decodes base32 leniently: case-insensitive, ignoring spaces, dashes, tabs and `=`
    /// padding anywhere, and accepting any length that encodes whole bytes.
    ///
    /// # Errors
    /// [`Base32Error`] naming the first bad character, or the impossible length.
    pub fn from_base32(input: &str) -> Result<Self, Base32Error> {
        let mut clean = Zeroizing::new(String::with_capacity(input.len()));
        for (position, ch) in input.chars().enumerate() {
            match ch {
                ' ' | '-' | '=' | '\t' | '\n' | '\r' => {}
                'a'..='z' => clean.push(ch.to_ascii_uppercase()),
                'A'..='Z' | '2'..='7' => clean.push(ch),
                _ => return Err(Base32Error::InvalidChar { ch, position }),
            }
        }
        if clean.is_empty() {
            return Err(Base32Error::Empty);
        }
        // RFC 4648 §6: a final group of 2, 4, 5 or 7 characters encodes 1–4 bytes; 1, 3, 6 cannot.
        if matches!(clean.len() % 8, 1 | 3 | 6) {
            return Err(Base32Error::InvalidLength { len: clean.len() });
        }
        let bytes = LENIENT_BASE32
            .decode(clean.as_bytes())
            .map_err(|_| Base32Error::InvalidLength { len: clean.len() })?;
        Ok(Self(bytes))
    }

    /// Canonical base32: upper case, no padding (what otpauth URIs carry).
    pub fn to_base32(&self) -> SecretString {
        SecretString::new(data_encoding::BASE32_NOPAD.encode(&self.0))
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([REDACTED; {} bytes])", self.0.len())
    }
}

/// A secret string (a password, a recovery key, a recovery code). Zeroized when dropped.
#[derive(Clone, Default, PartialEq, Eq, zeroize::ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    /// Takes ownership of `s`.
    pub fn new(s: String) -> Self {
        Self(s)
    }

    /// The text. Keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([REDACTED])")
    }
}

/// Zeroizes a `String` in place; for buffers that briefly held a secret.
pub fn wipe(s: &mut String) {
    s.zeroize();
}

/// How much stack [`with_stack_wiped`] overwrites below its caller: more than the deepest
/// computation it wraps takes (a batch of codes in an unoptimised build included).
const STACK_WIPE_BYTES: usize = 32 * 1024;

thread_local! {
    /// Set while a [`with_stack_wiped`] call runs on this thread: calls nested in it leave the
    /// wipe to it, so a batch of 10,000 codes wipes once, not 10,000 times.
    static WIPE_PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Clears [`WIPE_PENDING`] however the outermost call ends (a panic included).
struct Outermost;

impl Drop for Outermost {
    fn drop(&mut self) {
        WIPE_PENDING.with(|p| p.set(false));
    }
}

/// Runs `f`, then overwrites the stack that `f` and everything it called used, so that no
/// copy of a key stays there (the HMAC's key block, the AES key schedule, a hash state): freed
/// heap memory is wiped by the app's allocator, a returned stack frame by nothing. Calls nested
/// in another one on the same thread are left to the outermost, which wipes once when it
/// returns: wrap a batch (every account's code) in one call. Measured in E2E
/// `hardening.test.js` test 4 (security.md D5): without it the raw bytes of an account's secret
/// stayed on a worker thread's stack after lock.
#[inline(never)]
pub fn with_stack_wiped<R>(f: impl FnOnce() -> R) -> R {
    if WIPE_PENDING.with(std::cell::Cell::get) {
        return f();
    }
    WIPE_PENDING.with(|p| p.set(true));
    let outermost = Outermost;
    let result = run_below(f);
    drop(outermost);
    // Called from this frame, like `run_below`: its block covers the frames `f` used.
    wipe_stack_below();
    result
}

/// Calls `f` in a frame of its own, so that nothing of `f` is inlined into the caller's.
#[inline(never)]
fn run_below<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Overwrites [`STACK_WIPE_BYTES`] of stack below the caller: a zeroed block the compiler
/// must write out, since `black_box` may read it.
#[inline(never)]
fn wipe_stack_below() {
    let block = [0u8; STACK_WIPE_BYTES];
    std::hint::black_box(&block);
}

#[cfg(test)]
mod tests {
    #[test]
    fn nested_stack_wipes_leave_the_wipe_to_the_outermost_call() {
        assert!(!WIPE_PENDING.with(std::cell::Cell::get));
        let inner = with_stack_wiped(|| {
            assert!(
                WIPE_PENDING.with(std::cell::Cell::get),
                "inside: the wipe is pending"
            );
            with_stack_wiped(|| WIPE_PENDING.with(std::cell::Cell::get))
        });
        assert!(inner, "a nested call runs inside the outer one's scope");
        assert!(
            !WIPE_PENDING.with(std::cell::Cell::get),
            "the outermost call ended it"
        );
        // A panic inside does not leave the thread's later calls unwiped.
        let _ = std::panic::catch_unwind(|| with_stack_wiped(|| panic!("inside")));
        assert!(!WIPE_PENDING.with(std::cell::Cell::get));
    }

    use super::*;

    #[test]
    fn decodes_lenient_base32() {
        let canonical = SecretBytes::from_base32("GEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(canonical.expose(), b"1234567890");
        for variant in [
            "gezdgnbvgy3tqojq",
            "GEZD GNBV GY3T QOJQ",
            "GEZD-GNBV-GY3T-QOJQ",
            "GEZDGNBVGY3TQOJQ====",
        ] {
            assert_eq!(
                SecretBytes::from_base32(variant).unwrap(),
                canonical,
                "{variant}"
            );
        }
    }

    #[test]
    fn decodes_lengths_that_are_not_multiples_of_five_bytes() {
        // A 9-byte secret, as in the johncallahan GA fixture (formats.md §1).
        let s = SecretBytes::from_base32("DSFASDFASDFASFA=").unwrap();
        assert_eq!(s.len(), 9);
        assert_eq!(SecretBytes::from_base32(s.to_base32().expose()).unwrap(), s);
    }

    #[test]
    fn rejects_bad_base32_naming_the_character() {
        assert_eq!(
            SecretBytes::from_base32("GEZD1NBV"),
            Err(Base32Error::InvalidChar {
                ch: '1',
                position: 4
            })
        );
        assert_eq!(SecretBytes::from_base32(" = - "), Err(Base32Error::Empty));
        assert_eq!(
            SecretBytes::from_base32("GEZ"),
            Err(Base32Error::InvalidLength { len: 3 })
        );
    }

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(b"hunter2-secret");
        assert_eq!(format!("{s:?}"), "SecretBytes([REDACTED; 14 bytes])");
        assert!(!format!("{:?}", SecretString::from("hunter2")).contains("hunter2"));
    }
}
