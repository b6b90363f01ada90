//! Process hardening at start-up (security.md D5, §4.3): on Linux the process is made
//! non-dumpable (no core dumps, no ptrace attach by other same-user processes, /proc/<pid>/mem
//! closed) and its core-file size limit set to 0, both through rustix's safe wrappers. Failures
//! are reported and ignored: hardening must not stop the app.
//!
//! Freed memory is wiped in the whole process, not only in Rust's heap: the Rust allocator
//! wipes its own blocks (`main.rs`), but a secret shown on request (a revealed secret, recovery
//! codes, a new recovery key) also crosses GLib's and WebKit's buffers on its way to the page,
//! and those are freed by C code. [`restart_with_wiping_malloc`] restarts the process once, at
//! the very start, with glibc's malloc told to overwrite every block it frees
//! (`glibc.malloc.perturb`, with its per-thread cache off: cached blocks skip the overwrite)
//! and WebKit's own allocator (bmalloc/libpas) told to use that malloc (`Malloc=1`). Both are
//! read only when a process starts, hence the restart. Measured in E2E `hardening.test.js` test
//! 4: without them, copies of recovery codes and of a new recovery key stay in the app's memory
//! after lock.
//!
//! Only the app process runs so: WebKit's web process crashed (SIGSEGV on a pointer read from a
//! wiped block) in 2 of ~30 E2E runs when it inherited them. So, once restarted, the app makes
//! WebKit settle its allocator (the first WebKit object it makes reads `Malloc`) and then
//! removes both variables from its environment, before any thread or child process starts.

/// glibc tunables that make `free` overwrite every block: the perturb byte fills freed
/// blocks (and fresh ones with its complement), and with the per-thread cache off every free
/// takes the path that does it.
#[cfg(target_os = "linux")]
pub const GLIBC_WIPING_TUNABLES: &str = "glibc.malloc.perturb=170:glibc.malloc.tcache_count=0";

/// Whether an environment (`GLIBC_TUNABLES` and `Malloc` values) already asks for wiped
/// frees. glibc applies tunables in order, so ours must come last to hold.
#[cfg(target_os = "linux")]
fn wiping_env(tunables: Option<&str>, webkit_malloc: Option<&str>) -> bool {
    tunables.is_some_and(|t| t.ends_with(GLIBC_WIPING_TUNABLES)) && webkit_malloc == Some("1")
}

/// The `GLIBC_TUNABLES` value to restart with: the user's own tunables, then ours.
#[cfg(target_os = "linux")]
fn wiping_tunables(current: Option<&str>) -> String {
    match current {
        Some(t) if !t.is_empty() => format!("{t}:{GLIBC_WIPING_TUNABLES}"),
        _ => GLIBC_WIPING_TUNABLES.to_owned(),
    }
}

/// Set for the restarted process only, so that a restart is tried once: where glibc drops
/// `GLIBC_TUNABLES` (a setuid start, or one with file capabilities) the variables never arrive,
/// and a second restart would be the first of an endless loop.
#[cfg(target_os = "linux")]
const RESTARTED: &str = "TWOFOLD_MALLOC_RESTARTED";

/// What [`restart_with_wiping_malloc`] does, from the environment it finds.
#[cfg(target_os = "linux")]
#[derive(Debug, PartialEq, Eq)]
enum Start {
    /// The wiping allocators are on: settle WebKit's and clear the variables.
    Wiping,
    /// Restart with the variables.
    Restart,
    /// Restarted already and they still did not arrive: go on without.
    GiveUp,
}

#[cfg(target_os = "linux")]
fn start(tunables: Option<&str>, webkit_malloc: Option<&str>, restarted: bool) -> Start {
    if wiping_env(tunables, webkit_malloc) {
        Start::Wiping
    } else if restarted {
        Start::GiveUp
    } else {
        Start::Restart
    }
}

/// On Linux, restarts the process (same pid, arguments and environment, plus the variables of
/// the module documentation) unless those variables are already set; call it first thing in
/// `main`, before any thread starts. Returns only when nothing needs to change or the restart
/// failed (reported, and the app runs without wiped frees); elsewhere it does nothing.
pub fn restart_with_wiping_malloc() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let tunables = std::env::var("GLIBC_TUNABLES").ok();
        let webkit_malloc = std::env::var("Malloc").ok();
        let restarted = std::env::var_os(RESTARTED).is_some();
        // Single-threaded still: nothing else reads the environment meanwhile.
        std::env::remove_var(RESTARTED);
        match start(tunables.as_deref(), webkit_malloc.as_deref(), restarted) {
            Start::GiveUp => eprintln!(
                "twofold: restarted, but the allocator settings did not reach the process (a \
                 setuid or capability start drops them); going on without wiped frees"
            ),
            Start::Wiping => {
                // glibc read its tunables when this process started; WebKit reads `Malloc` when
                // it first allocates, which making any WebKit object does. Then neither is
                // passed on.
                settle_webkit_allocator();
                // The user's own tunables go on to children as they were.
                let users = tunables
                    .as_deref()
                    .and_then(|t| t.strip_suffix(GLIBC_WIPING_TUNABLES))
                    .map(|t| t.trim_end_matches(':'))
                    .filter(|t| !t.is_empty());
                match users {
                    Some(t) => std::env::set_var("GLIBC_TUNABLES", t),
                    None => std::env::remove_var("GLIBC_TUNABLES"),
                }
                std::env::remove_var("Malloc");
            }
            Start::Restart => {
                let mut args = std::env::args_os();
                let arg0 = args.next().unwrap_or_else(|| "twofold".into());
                // This binary by its path, so that the process keeps its name ("twofold" in
                // `ps`, task managers and `pgrep`; /proc/self/exe would rename it "exe");
                // /proc/self/exe only if the file was replaced since it started.
                let exe = std::env::current_exe()
                    .ok()
                    .filter(|p| p.is_file())
                    .unwrap_or_else(|| "/proc/self/exe".into());
                let error = std::process::Command::new(exe)
                    .arg0(arg0)
                    .args(args)
                    .env("GLIBC_TUNABLES", wiping_tunables(tunables.as_deref()))
                    .env("Malloc", "1")
                    .env(RESTARTED, "1")
                    .exec();
                eprintln!(
                    "twofold: cannot restart with freed memory wiped, going on without: {error}"
                );
            }
        }
    }
}

/// Makes WebKit allocate once, which settles its allocator (bmalloc reads `Malloc` then).
/// Through the C function: the Rust binding insists on GTK being initialised first, which this
/// call does not need.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn settle_webkit_allocator() {
    // SAFETY: the argument is a NUL-terminated string that outlives the call;
    // webkit_security_origin_new_for_uri returns a new reference (NULL for an invalid URI),
    // released here exactly once and used for nothing else.
    unsafe {
        let origin =
            webkit2gtk_sys::webkit_security_origin_new_for_uri(c"tauri://localhost".as_ptr());
        if !origin.is_null() {
            webkit2gtk_sys::webkit_security_origin_unref(origin);
        }
    }
}

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
    fn the_restart_adds_its_tunables_after_the_users_and_then_is_done() {
        use super::{wiping_env, wiping_tunables, GLIBC_WIPING_TUNABLES};
        assert_eq!(wiping_tunables(None), GLIBC_WIPING_TUNABLES);
        assert_eq!(wiping_tunables(Some("")), GLIBC_WIPING_TUNABLES);
        let mine = wiping_tunables(Some("glibc.malloc.check=0"));
        assert_eq!(
            mine,
            format!("glibc.malloc.check=0:{GLIBC_WIPING_TUNABLES}")
        );
        // After the restart both variables hold: no second restart.
        assert!(wiping_env(Some(&mine), Some("1")));
        assert!(
            !wiping_env(Some(&mine), None),
            "WebKit's Malloc=1 is needed too"
        );
        assert!(!wiping_env(None, Some("1")));
        // A user tunable after ours could undo it (glibc applies them in order): restart.
        let undone = format!("{GLIBC_WIPING_TUNABLES}:glibc.malloc.tcache_count=7");
        assert!(!wiping_env(Some(&undone), Some("1")));
        // One restart at most: if the variables did not arrive, the restarted process goes on.
        use super::{start, Start};
        assert_eq!(start(None, None, false), Start::Restart);
        assert_eq!(start(Some(&mine), Some("1"), true), Start::Wiping);
        assert_eq!(start(None, Some("1"), true), Start::GiveUp);
        assert_eq!(start(Some(&undone), Some("1"), true), Start::GiveUp);
    }

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
