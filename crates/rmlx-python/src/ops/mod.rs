//! The ops of `rmlx.core`, one table per family as in `rmlx_core::ops`
//! (see `table.rs` for how a table is written).

pub(crate) mod contract;
pub(crate) mod conv;
pub(crate) mod creation;
pub(crate) mod elementwise;
pub(crate) mod indexing;
pub(crate) mod random;
pub(crate) mod reduce;
pub(crate) mod runtime;
pub(crate) mod shape;
pub(crate) mod sort_scan;

use pyo3::prelude::*;

/// Adds every family's functions to `rmlx.core`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    contract::register(m)?;
    m.add_function(wrap_pyfunction!(contract::einsum_path, m)?)?;
    conv::register(m)?;
    creation::register(m)?;
    elementwise::register(m)?;
    indexing::register(m)?;
    reduce::register(m)?;
    shape::register(m)?;
    sort_scan::register(m)?;
    Ok(())
}

/// Every family's entries of the stub.
pub(crate) fn table() -> Vec<crate::table::Entry> {
    let mut t = Vec::new();
    t.extend(contract::table());
    t.extend(conv::table());
    t.extend(creation::table());
    t.extend(elementwise::table());
    t.extend(indexing::table());
    t.extend(random::table());
    t.extend(reduce::table());
    t.extend(shape::table());
    t.extend(sort_scan::table());
    t
}
