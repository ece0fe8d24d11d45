//! mount(8) and umount(8) as util-linux 2.38 has them (options, messages, exit codes
//! `MNT_EX_*`), with the fixes of DESIGN.md §3: read-only binds are atomic through the new
//! mount API (`open_tree` → `mount_setattr` → `move_mount`), option data the kernel would
//! truncate is refused, unknown `X-mount.*` options are errors, the listing escapes every
//! control byte, and `umount a b` exits 32 when all failed and 64 when some succeeded.
//! Neither tool ever writes `/etc/mtab` or a utab.

mod both;
pub mod mount;
pub mod opts;
pub mod sys;
pub mod umount;
