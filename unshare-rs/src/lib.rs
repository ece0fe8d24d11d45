//! unshare: being built (see the issue tracker).

use std::ffi::OsString;

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "unshare";

/// Entry point: arguments in (argv[0] first), exit status out.
pub fn main(_args: Vec<OsString>) -> u8 {
    common::finish(NAME, 1, 1, Err(common::Failure::msg("not implemented yet")))
}
