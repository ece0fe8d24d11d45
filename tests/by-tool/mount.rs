//! mount: integration tests.
