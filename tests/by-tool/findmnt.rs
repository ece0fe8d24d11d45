//! findmnt: integration tests.
