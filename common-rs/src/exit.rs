//! Exit codes, named as upstream names them.

/// Generic failure (`EXIT_FAILURE`): unshare, pivot_root, findmnt, the multicall.
pub const FAILURE: u8 = 1;
/// The COMMAND was found but could not be run (`EX_EXEC_FAILED` in util-linux `c.h`).
pub const EXEC_FAILED: u8 = 126;
/// The COMMAND was not found (`EX_EXEC_ENOENT`).
pub const EXEC_ENOENT: u8 = 127;
/// GNU chroot: chroot itself failed (bad option, NEWROOT unusable).
pub const CHROOT_FAILURE: u8 = 125;

/// mount(8)/umount(8) exit status bits (libmount `MNT_EX_*`); "the bits can be ORed".
pub mod mnt {
    /// Incorrect invocation or permissions.
    pub const USAGE: u8 = 1;
    /// System error (out of memory, cannot fork, no more loop devices).
    pub const SYSERR: u8 = 2;
    /// Internal mount bug.
    pub const SOFTWARE: u8 = 4;
    /// User interrupt.
    pub const USER: u8 = 8;
    /// Problems writing or locking /etc/mtab.
    pub const FILEIO: u8 = 16;
    /// Mount failure.
    pub const FAIL: u8 = 32;
    /// Some mount succeeded (with `--all`, or some of several umount operands).
    pub const SOMEOK: u8 = 64;
}
