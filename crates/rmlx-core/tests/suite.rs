//! The integration tests, one module per topic, in one test binary (one link,
//! and one file to carry to the GPU machine). Each runs on the device that
//! `RMLX_DEVICE` names (`cpu`, `gpu`), the GPU by default when there is one.
//! Tests of process-wide memory counters live in `isolated.rs`, a binary of
//! their own, so that no other test allocates while they count.

mod binary;
mod common;
mod conv;
mod creation;
mod custom;
mod dtype;
mod errors;
mod fusion;
mod grad;
mod graph;
mod interop;
mod matmul;
mod props;
mod random;
mod reduce;
mod shape;
mod sort_scan;
mod unary;
mod vmap;
