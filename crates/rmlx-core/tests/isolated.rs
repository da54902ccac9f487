//! Tests that read process-wide state (memory counters, device memory, the
//! default device): a binary of their own, each test under `common::serial`.

mod common;
mod device;
mod memory;
