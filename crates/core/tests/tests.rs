//! Integration tests for twofold-core (one binary, as in ripgrep).
