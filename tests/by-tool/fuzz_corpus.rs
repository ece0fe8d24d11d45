//! The fuzz corpora and crash regressions, replayed by the ordinary test suite (stable, no
//! libFuzzer): every file of fuzz/corpus/TARGET and fuzz/regressions/TARGET goes through
//! the checks its cargo-fuzz target runs (fuzz/checks.rs, the same source), then a few
//! thousand inputs from a fixed-seed generator do. A panic anywhere is a failure.
//! scripts/fuzz.sh runs the real fuzzers.
#![cfg(all(feature = "mount", feature = "unshare", feature = "findmnt"))]

#[allow(dead_code)]
#[path = "../../fuzz/checks.rs"]
mod checks;

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use crate::util::tool;

/// findmnt's command line is fuzzed in-process by its target; here it runs through the
/// real binary (the tool prints tables on the test's stdout otherwise).
const FINDMNT_ARGS: &str = "findmnt_args";

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every corpus and regression file of `target`, sorted.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            files.push((path, bytes));
        }
    }
    files.sort();
    files
}

/// The input as a Rust byte string, to paste into a regression file.
fn shown(data: &[u8]) -> String {
    data.escape_ascii().to_string()
}

/// xorshift64: a fixed sequence, no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces the parsers care about; random bytes between them.
const TOKENS: &[&[u8]] = &[
    b",",
    b"=",
    b"\"",
    b"\0",
    b":",
    b"\n",
    b" ",
    b"\\",
    b"no",
    b"ro",
    b"rw",
    b"bind",
    b"rbind",
    b"noatime",
    b"relatime",
    b"strictatime",
    b"shared",
    b"rslave",
    b"user=",
    b"comment",
    b"x-",
    b"X-mount.mkdir",
    b"x-mount.",
    b"recursive",
    b"defaults",
    b"auto",
    b"all",
    b"subids",
    b"root",
    b"0",
    b"1",
    b"1000",
    b"65536",
    b"4294967295",
    b"-o",
    b"-t",
    b"-O",
    b"-F",
    b"-r",
    b"-J",
    b"-l",
    b"-n",
    b"--",
    b"--map-users=",
    b"--make-",
    b"TARGET",
    b"SOURCE",
    b"+",
    b"\xff",
    b"\xc3\xa9",
    b"/",
    b"36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/x rw\n",
];

fn random_input(rng: &mut Rng) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..rng.below(24) {
        if rng.below(3) == 0 {
            data.push(rng.next() as u8);
        } else {
            data.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
        }
    }
    data
}

/// Whether `check` panics on `data` (the hook prints the message).
fn fails(check: checks::Check, data: &[u8]) -> bool {
    catch_unwind(|| check(data)).is_err()
}

#[test]
fn every_corpus_is_a_target_with_seeds() {
    let known: Vec<&str> = checks::TARGETS
        .iter()
        .map(|(name, _)| *name)
        .chain([FINDMNT_ARGS])
        .collect();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir)) else {
            continue;
        };
        for entry in entries {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                known.contains(&name.as_str()),
                "fuzz/{dir}/{name}: no such target"
            );
        }
    }
    for name in known {
        assert!(!inputs(name).is_empty(), "fuzz/corpus/{name} is empty");
        let target = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(target.is_file(), "{} is missing", target.display());
    }
}

#[test]
fn corpora_replay() {
    let mut failed = Vec::new();
    for (name, check) in checks::TARGETS {
        for (path, data) in inputs(name) {
            if fails(*check, &data) {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(failed.is_empty(), "failing inputs: {failed:#?}");
}

#[test]
fn random_inputs() {
    let mut failed = Vec::new();
    for (name, check) in checks::TARGETS {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let data = random_input(&mut rng);
            if fails(*check, &data) {
                failed.push(format!("{name}: b\"{}\"", shown(&data)));
            }
        }
    }
    assert!(failed.is_empty(), "failing inputs: {failed:#?}");
}

/// findmnt's whole command line: no panic (exit 101 in a debug build, SIGABRT in a
/// release one), only its own exit codes 0 and 1.
#[test]
fn findmnt_args_replay() {
    let corpus = inputs(FINDMNT_ARGS).into_iter().map(|(_, data)| data);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let random = (0..150).map(|_| random_input(&mut rng));
    let mut ran = 0;
    for data in corpus.chain(random) {
        let Some(args) = checks::findmnt_argv(&data) else {
            continue;
        };
        ran += 1;
        let out = tool("findmnt").args(&args[1..]).run();
        assert!(
            (0..=1).contains(&out.code) && !out.stderr.contains("panicked"),
            "findmnt b\"{}\": exit {}, {}",
            shown(&data),
            out.code,
            out.stderr
        );
    }
    assert!(ran > 100, "only {ran} command lines ran");
}
