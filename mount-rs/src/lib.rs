//! mount and umount: being built (see the issue tracker).

pub mod mount;
pub mod umount;
