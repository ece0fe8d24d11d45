//! unshare: integration tests.
