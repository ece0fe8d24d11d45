//! Integration tests: the real `rootbox` binary, run through links named like the tools.
//! One test binary; a module per tool. See tests/util.rs for the harness and DESIGN.md §4.
// Panicking on a broken fixture is how a test fails.
#![allow(clippy::unwrap_used)]

mod util;

#[path = "by-tool/chroot.rs"]
mod chroot;
#[path = "by-tool/docs.rs"]
mod docs;
#[path = "by-tool/findmnt.rs"]
mod findmnt;
#[path = "by-tool/fuzz_corpus.rs"]
mod fuzz_corpus;
#[path = "by-tool/image.rs"]
mod image;
#[path = "by-tool/lsns.rs"]
mod lsns;
#[path = "by-tool/mount.rs"]
mod mount;
#[path = "by-tool/multicall.rs"]
mod multicall;
#[path = "by-tool/nsenter.rs"]
mod nsenter;
#[path = "by-tool/pivot_root.rs"]
mod pivot_root;
#[path = "by-tool/umount.rs"]
mod umount;
#[path = "by-tool/unshare.rs"]
mod unshare;
