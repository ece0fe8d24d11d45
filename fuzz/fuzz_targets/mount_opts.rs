//! Fuzz mount's option handling: the -o splitter, the keyword table and its evaluation,
//! the -t/-O filters and the mount/umount command lines (checks in fuzz/checks.rs).
#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::mount_opts(data));
