//! lsns: integration tests.
