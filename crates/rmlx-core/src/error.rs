//! The one error type of rmlx-core. Every message says what was expected and
//! what came, so a user can fix the call without reading the source.

use crate::dtype::Dtype;

/// Everything that can go wrong in rmlx-core.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Shapes that do not fit together (broadcasting, matmul, concatenate, reshape...).
    #[error("{0}")]
    Shape(String),
    /// An axis outside `[-ndim, ndim)` or repeated.
    #[error("{op}: axis {axis} is out of bounds for an array of {ndim} dimensions")]
    Axis { op: &'static str, axis: i64, ndim: usize },
    /// A dtype the operation does not accept.
    #[error("{0}")]
    Dtype(String),
    /// An argument value that is out of range or otherwise invalid.
    #[error("{0}")]
    Value(String),
    /// An index out of range.
    #[error("{0}")]
    Index(String),
    /// A device or stream that does not exist or is not available.
    #[error("{0}")]
    Device(String),
    /// A size or integer that does not fit its type (a shape whose element
    /// count overflows, a value out of its dtype's range).
    #[error("{0}")]
    Overflow(String),
    /// An allocation failed or would pass the memory limit.
    #[error("out of memory: {0}")]
    OutOfMemory(String),
    /// A failure while evaluating the graph.
    #[error("{0}")]
    Runtime(String),
}

/// Result with the rmlx-core [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn shape(msg: impl Into<String>) -> Self {
        Error::Shape(msg.into())
    }
    pub(crate) fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
    pub(crate) fn dtype_unsupported(op: &str, dtype: Dtype) -> Self {
        Error::Dtype(format!("{op}: dtype {dtype} is not supported"))
    }
}
