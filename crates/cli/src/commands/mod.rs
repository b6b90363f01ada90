//! One function per subcommand, in one file per group: parse and check the input, open the
//! vault, call core, save, then print. Input is validated before the vault is opened and
//! nothing is written unless the whole command succeeded, so a failed command changes no file.
//! What every command shares (opening, saving, finding an account) is `crate::session`'s.

mod accounts;
mod recovery_codes;
mod scan;
mod transfer;
mod vault;

use accounts::{add, code, edit, generate, list, remove};
use recovery_codes::recovery_codes;
use scan::scan;
use vault::{doctor, init, keep_current, password, recovery_key, restore_newer};

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{BackupCommand, Cli, Command, VaultCommand};
use crate::error::Failure;

/// Runs `cli`.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let g = &cli.global;
    match cli.command {
        Command::Init(args) => init(g, &args),
        Command::Add(args) => add(g, args),
        Command::List(args) => list(g, &args),
        Command::Code(args) => code(g, &args),
        Command::Generate(args) => generate(&args),
        Command::Scan(args) => scan(g, &args),
        Command::Edit(args) => edit(g, args),
        Command::Remove(args) => remove(g, &args),
        Command::RecoveryCodes(cmd) => recovery_codes(g, cmd),
        Command::Password(cmd) => password(g, cmd),
        Command::Import(args) => transfer::import(g, &args),
        Command::Export(args) => transfer::export(g, &args),
        Command::Backup(BackupCommand::Verify {
            file,
            backup_password_file,
            json,
        }) => transfer::verify(g, &file, backup_password_file.as_deref(), json),
        Command::RecoveryKey => recovery_key(g),
        Command::Vault(VaultCommand::RestoreNewer) => restore_newer(g),
        Command::Vault(VaultCommand::KeepCurrent) => keep_current(g),
        Command::Doctor => doctor(g),
        Command::Completions(args) => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "twofold-cli", &mut out);
            out.flush()?;
            Ok(())
        }
    }
}
