//! Fuzz unshare's id maps: --map-users specs, /etc/subuid lines, the caller's own map,
//! the single-id merge and the command line (checks in fuzz/checks.rs).
#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::idmap(data));
