//! Secrets on the command line (issue 11 item 8): other programs can read a process's
//! arguments (ps, /proc), so `add --uri`, `add --secret` and `recovery-codes add|use` warn when
//! given one there, after the command succeeded, and every one of them takes `-` to read it
//! from standard input instead, with no warning.

use crate::util::{stderr, stdout, Sandbox};

const PW: &str = "argv vault password";
const URI: &str = "otpauth://totp/Shop:alice?secret=JBSWY3DPEHPK3PXP&issuer=Shop";

fn run(s: &Sandbox, args: &[&str], stdin: Option<&str>) -> (String, String) {
    let mut cmd = s.with_password(PW);
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_owned());
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    (stdout(&out), stderr(&out))
}

#[test]
fn secrets_on_the_command_line_are_warned_about_and_dash_reads_standard_input() {
    // See: issue 11 item 8 (`add --uri` and `recovery-codes add/use` took secrets on argv
    // without the warning `--secret` gave, and had no way to read them from stdin).
    let s = Sandbox::new();
    run(&s, &["init", "--no-keychain"], None);
    let warned = |err: &str, what: &str| {
        err.contains(&format!(
            "warning: the {what} was given on the command line, where other programs can read it"
        ))
    };

    let (out, err) = run(&s, &["add", "--uri", URI], None);
    assert!(out.contains("added Shop (alice)"), "{out}");
    assert!(warned(&err, "URI"), "{err}");
    // The warning comes after the result, so it is the last thing said.
    assert!(
        err.trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.contains("standard input")),
        "{err}"
    );

    let other = "otpauth://totp/Forge:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Forge";
    let (out, err) = run(&s, &["add", "--uri", "-"], Some(&format!("{other}\n")));
    assert!(out.contains("added Forge (bob)"), "{out}");
    assert!(!err.contains("warning"), "{err}");

    let (_, err) = run(&s, &["recovery-codes", "add", "shop", "aaaa-1111"], None);
    assert!(warned(&err, "recovery codes"), "{err}");
    let (out, err) = run(
        &s,
        &["recovery-codes", "add", "shop", "-"],
        Some("bbbb-2222\ncccc-3333\n"),
    );
    assert!(out.contains("added 2 recovery codes"), "{out}");
    assert!(!err.contains("warning"), "{err}");

    let (_, err) = run(&s, &["recovery-codes", "use", "shop", "aaaa-1111"], None);
    assert!(warned(&err, "recovery code"), "{err}");
    let (out, err) = run(
        &s,
        &["recovery-codes", "use", "shop", "-"],
        Some("bbbb-2222\n"),
    );
    assert!(out.contains("1 unused left"), "{out}");
    assert!(!err.contains("warning"), "{err}");
}
