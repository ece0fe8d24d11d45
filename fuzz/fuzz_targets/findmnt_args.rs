//! Fuzz findmnt's whole command line (-o LIST, -t/-O filters, -d, -w, -N, ...) through
//! `findmnt_rs::main`, since its parsers are private: argv is the NUL-separated words of
//! the input. Run with `-close_fd_mask=1` (scripts/fuzz.sh does) so the tables it prints
//! go nowhere. Command lines that could block (`--poll`, devices) are skipped.
#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(args) = checks::findmnt_argv(data) {
        let code = findmnt_rs::main(args);
        assert!(code <= 1, "findmnt exit code {code}");
    }
});
