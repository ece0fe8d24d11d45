//! pivot_root: integration tests.
