//! Fuzz findmnt's output table (scols::print) in every form, any cells and tree shape:
//! JSON stays UTF-8, --raw/--pairs one line per line (checks in fuzz/checks.rs).
#![no_main]

#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::findmnt_render(data));
