//! `twofold-cli manpage [--app]` (hidden): the man pages the Debian package installs
//! (scripts/package.sh), rendered with `clap_mangen` from the clap definitions, so a page never
//! says other than `--help`.
//!
//! Without `--app` it prints twofold-cli(1): the options and subcommands of [`Cli`], then the
//! "Unlocking", "Environment" and "Exit codes" paragraphs of its long help as sections of their
//! own. With `--app` it prints twofold(1) for the desktop app, which takes no options: a small
//! clap `Command` here names it and the environment it reads.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::roff::{roman, Roff};
use clap_mangen::Man;

use crate::cli::Cli;

/// The desktop app's page: what it is, where it keeps the vault, what it reads at start.
fn app_command() -> clap::Command {
    clap::Command::new("twofold")
        .version(env!("CARGO_PKG_VERSION"))
        .about("desktop authenticator for two-factor codes (TOTP, HOTP, Steam Guard)")
        .long_about(
            "Twofold shows the one-time codes (TOTP, HOTP and Steam Guard) of the accounts in \
             an encrypted vault (AES-256-GCM), whose key is kept in the OS keychain (the Secret \
             Service on Linux); a password and a recovery key are the other ways in. It adds \
             accounts from QR codes, otpauth:// links and other apps' exports, and writes \
             encrypted backups that age(1) opens.\n\
             \n\
             On first start it creates the vault and shows a recovery key once. A second \
             launch brings the running window up. twofold-cli(1) works on the same vault from a \
             terminal.",
        )
        .disable_help_flag(true)
        .disable_version_flag(true)
        .after_long_help(
            "Environment:\n\
             \x20 TWOFOLD_VAULT  vault file (default: $XDG_DATA_HOME/twofold/vault.twofold,\n\
             \x20                that is ~/.local/share/twofold/vault.twofold); the same as\n\
             \x20                twofold-cli's --vault\n\
             \x20 DISPLAY, WAYLAND_DISPLAY\n\
             \x20                the desktop session: without either the app says so and exits\n\
             \n\
             Files:\n\
             \x20 ~/.local/share/twofold/vault.twofold  the vault\n\
             \x20 ~/.config/app.twofold.desktop/settings.json  the app's settings\n\
             \n\
             See also:\n\
             \x20 twofold-cli(1), age(1)",
        )
}

/// Renders `cmd`'s page: clap_mangen's sections, then each `Heading:` paragraph of the long
/// after-help as a section of its own, kept as written (its lines are aligned columns).
fn render(cmd: clap::Command) -> io::Result<Vec<u8>> {
    let extra = cmd
        .get_after_long_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let has_options = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = cmd.get_subcommands().any(|c| !c.is_hide_set());
    let man = Man::new(cmd);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_options {
        man.render_options_section(&mut out)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    let mut open = false;
    for line in extra.lines() {
        if let Some(heading) = line.strip_suffix(':').filter(|h| !h.starts_with(' ')) {
            if open {
                roff.control("fi", []);
            }
            roff.control("SH", [heading.to_uppercase().as_str()]);
            roff.control("nf", []);
            open = true;
        } else if open {
            roff.text([roman(line)]);
        }
    }
    if open {
        roff.control("fi", []);
    }
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Prints twofold-cli(1), or twofold(1) when `app`, as roff on standard output.
///
/// # Errors
/// Standard output cannot be written.
pub fn print(app: bool) -> io::Result<()> {
    let page = render(if app { app_command() } else { Cli::command() })?;
    let mut out = io::stdout().lock();
    out.write_all(&page)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(app: bool) -> String {
        String::from_utf8(render(if app { app_command() } else { Cli::command() }).unwrap())
            .unwrap()
    }

    /// The `.SH` headings of `page`, unquoted.
    fn sections(page: &str) -> Vec<&str> {
        page.lines()
            .filter_map(|l| l.strip_prefix(".SH "))
            .map(|h| h.trim_matches('"'))
            .collect()
    }

    #[test]
    fn cli_page_has_subcommands_and_the_long_help_sections() {
        let page = page(false);
        assert!(page.starts_with(".ie"), "roff: {page:.40}");
        assert!(page.contains(".TH twofold-cli 1"), "{page}");
        let sections = sections(&page);
        for section in ["SUBCOMMANDS", "UNLOCKING", "ENVIRONMENT", "EXIT CODES"] {
            assert!(sections.contains(&section), "{section}: {sections:?}");
        }
        assert!(page.contains("TWOFOLD_VAULT"), "{page}");
        assert!(
            !page.contains("manpage"),
            "the hidden subcommand stays hidden"
        );
    }

    #[test]
    fn app_page_names_the_app_and_its_environment() {
        let page = page(true);
        assert!(page.contains(".TH twofold 1"), "{page}");
        let sections = sections(&page);
        assert!(sections.contains(&"ENVIRONMENT"), "{sections:?}");
        assert!(page.contains("TWOFOLD_VAULT"), "{page}");
        assert!(
            !sections.contains(&"OPTIONS"),
            "the app takes no options: {sections:?}"
        );
    }
}
