//! chroot: integration tests.
