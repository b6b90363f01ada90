//! `twofold-cli`: Twofold from a terminal. A clap front end over `twofold-core`; it owns
//! argument parsing (`cli`), unlocking (`unlock`), the subcommands (`commands`; `transfer`
//! for import, export and backup verify), printing (`output`), the clipboard (`clipboard`)
//! and exit codes (`error`). All OTP, URI, vault and file-format logic lives in core.
//!
//! Errors reach the user as one line on standard error, `twofold-cli: error: <message>`, with
//! the exit code documented in `--help`.
#![forbid(unsafe_code)]

mod cli;
mod clipboard;
mod commands;
mod error;
mod output;
mod session;
mod unlock;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::error::{Exit, Failure};

/// Every heap block is wiped when it is freed: no copy of a secret stays in freed memory
/// (security.md D5), the app's allocator too.
#[global_allocator]
static ALLOC: zalloc::ZeroizingAlloc<std::alloc::System> =
    zalloc::ZeroizingAlloc(std::alloc::System);

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().take(3).collect();
    let result = if args.get(1).is_some_and(|a| a == clipboard::HOLD_COMMAND) {
        // The clipboard holder that `code --copy` starts: not a user command.
        clipboard::hold(args.get(2).map(std::ffi::OsString::as_os_str)).map_err(Into::into)
    } else {
        run(cli::Cli::parse())
    };
    match result {
        Ok(()) => {
            output::flush_after_success();
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<()> {
    commands::run(cli)?;
    Ok(())
}

/// Prints `e` as one line and picks the exit code.
fn report(e: &anyhow::Error) -> ExitCode {
    let exit = e.downcast_ref::<Failure>().map_or(Exit::Error, |f| f.exit);
    let message = format!("{e:#}").replace(['\n', '\r'], " ");
    if message == output::BROKEN_PIPE {
        // `twofold-cli list | head -1`: the reader has what it wanted.
        return ExitCode::SUCCESS;
    }
    // Not eprintln!: it panics when stderr is a closed pipe (the clipboard holder's may be).
    let _ = writeln!(std::io::stderr(), "twofold-cli: error: {message}");
    ExitCode::from(exit as u8)
}
