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

/// The families whose functions live in `rmlx.core` itself (`random` has its submodule).
mod core {
    crate::table::tables!(
        super::contract,
        super::conv,
        super::creation,
        super::elementwise,
        super::indexing,
        super::reduce,
        super::shape,
        super::sort_scan,
    );
}

/// Adds the functions of the core families to `rmlx.core`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    core::register(m)?;
    m.add_function(wrap_pyfunction!(contract::einsum_path, m)?)?;
    Ok(())
}

/// Every family's entries of the stub, `random`'s included.
pub(crate) fn table() -> Vec<crate::table::Entry> {
    let mut t = core::table();
    t.extend(random::table());
    t
}
