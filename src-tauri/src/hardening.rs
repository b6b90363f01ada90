//! Process hardening at start-up (security.md D5, §4.3): on Linux the process is made
//! non-dumpable (no core dumps, no ptrace attach by other same-user processes, /proc/<pid>/mem
//! closed) and its core-file size limit set to 0. Both through rustix's safe wrappers, so no
//! `unsafe` is needed. Failures are reported and ignored: hardening must not stop the app.

/// Applies the hardening for this platform.
pub fn apply() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{setrlimit, DumpableBehavior, Resource, Rlimit};
        if let Err(e) = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable) {
            eprintln!("twofold: cannot make the process non-dumpable: {e}");
        }
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            eprintln!("twofold: cannot disable core files: {e}");
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use rustix::process::{getrlimit, DumpableBehavior, Resource};

    #[test]
    fn the_process_is_non_dumpable_with_no_core_files() {
        super::apply();
        assert_eq!(
            rustix::process::dumpable_behavior().expect("PR_GET_DUMPABLE"),
            DumpableBehavior::NotDumpable
        );
        let core = getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    }
}
