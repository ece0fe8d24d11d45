//! The process entry point of every rootbox binary.
//!
//! The binaries are `#![no_main]` and define the C `main` through
//! [`entry!`](crate::entry!): Rust's own start-up sets SIGPIPE to "ignore" before `main`,
//! which a program we exec would inherit and which would hide the caller's own
//! disposition. Starting from the C `main`, the process
//! keeps exactly the signal dispositions and mask the caller gave it, so `exec` passes them
//! on untouched (util-linux and coreutils behave so; research/security.md §0.3 L-sig).
//!
//! Before anything else, [`start`] refuses to run with elevated privileges: these tools take
//! their privilege from the caller (root or a user namespace) and must never be setuid, setgid
//! or hold file capabilities (research/security.md §1.9).

use std::ffi::{CStr, OsString, c_char, c_int};
use std::io::Write;
use std::os::unix::ffi::OsStringExt;

/// A tool's entry point: the arguments (`argv[0]` first) in, the exit status out.
pub type Main = fn(Vec<OsString>) -> u8;

/// The message printed when the kernel says the process runs with elevated privileges.
pub const SECURE_REFUSAL: &str =
    "refusing to run with elevated privileges (setuid, setgid or file capabilities)";

/// Whether the kernel marked this process for secure execution (`AT_SECURE`).
#[allow(unsafe_code)]
pub fn elevated() -> bool {
    // SAFETY: getauxval only reads the auxiliary vector the kernel gave the process; it has
    // no preconditions and returns 0 for a missing entry.
    unsafe { nix::libc::getauxval(nix::libc::AT_SECURE) != 0 }
}

/// Run `main` with the arguments of the C `main`; used by [`entry!`](crate::entry!).
///
/// # Safety
/// `argv` must hold `argc` valid NUL-terminated strings, as the C runtime guarantees.
#[allow(unsafe_code)]
pub unsafe fn start(argc: c_int, argv: *const *const c_char, main: Main) -> c_int {
    let count = usize::try_from(argc).unwrap_or(0);
    let args: Vec<OsString> = (0..count)
        .map(|i| {
            // SAFETY: the caller guarantees argv[0..argc] are valid C strings.
            let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect();
    let status = if elevated() {
        let name = args
            .first()
            .map(|a| crate::usage::lossy(a))
            .unwrap_or_default();
        let name = name.rsplit('/').next().unwrap_or("rootbox");
        let _ = writeln!(std::io::stderr(), "{name}: {SECURE_REFUSAL}");
        crate::exit::FAILURE
    } else {
        main(args)
    };
    // The C runtime's exit does not flush Rust's stdout buffer; tools flush their own
    // writer, this is for anything printed outside it.
    let _ = std::io::stdout().flush();
    c_int::from(status)
}

/// Define the C `main` of a `#![no_main]` binary that calls `$main` (a [`Main`]).
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// The C entry point: see `common::entry`.
        // SAFETY: this is the only `main` symbol in the binary, with the C signature the
        // C runtime calls.
        #[allow(unsafe_code)]
        #[unsafe(no_mangle)]
        extern "C" fn main(
            argc: ::std::ffi::c_int,
            argv: *const *const ::std::ffi::c_char,
        ) -> ::std::ffi::c_int {
            // SAFETY: the C runtime passes argc valid NUL-terminated strings in argv.
            unsafe { $crate::entry::start(argc, argv, $main) }
        }
    };
}
