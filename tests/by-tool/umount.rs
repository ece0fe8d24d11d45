//! umount: integration tests.
