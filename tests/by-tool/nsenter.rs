//! nsenter: integration tests.
