//! `mx.Dtype` objects (`mx.float32`, ...) and the categories of `issubdtype`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use rmlx_core::dtype::DtypeLike;
use rmlx_core::{Dtype, DtypeCategory};

/// An element type: `rmlx.core.float32` and the others.
#[pyclass(name = "Dtype", module = "rmlx.core", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDtype(pub Dtype);

#[pymethods]
impl PyDtype {
    /// Bytes per element.
    #[getter]
    fn size(&self) -> usize {
        self.0.size()
    }
    fn __repr__(&self) -> String {
        format!("rmlx.core.{}", self.0.name())
    }
}

/// An abstract group of dtypes (`mx.floating`, `mx.integer`, ...).
#[pyclass(name = "DtypeCategory", module = "rmlx.core", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDtypeCategory(pub DtypeCategory);

#[pymethods]
impl PyDtypeCategory {
    #[classattr]
    fn generic() -> Self {
        PyDtypeCategory(DtypeCategory::Generic)
    }
    #[classattr]
    fn number() -> Self {
        PyDtypeCategory(DtypeCategory::Number)
    }
    #[classattr]
    fn integer() -> Self {
        PyDtypeCategory(DtypeCategory::Integer)
    }
    #[classattr]
    fn signedinteger() -> Self {
        PyDtypeCategory(DtypeCategory::SignedInteger)
    }
    #[classattr]
    fn unsignedinteger() -> Self {
        PyDtypeCategory(DtypeCategory::UnsignedInteger)
    }
    #[classattr]
    fn inexact() -> Self {
        PyDtypeCategory(DtypeCategory::Inexact)
    }
    #[classattr]
    fn floating() -> Self {
        PyDtypeCategory(DtypeCategory::Floating)
    }
    #[classattr]
    fn complexfloating() -> Self {
        PyDtypeCategory(DtypeCategory::ComplexFloating)
    }
    fn __repr__(&self) -> String {
        format!("DtypeCategory.{}", category_name(self.0))
    }
}

pub fn category_name(c: DtypeCategory) -> &'static str {
    match c {
        DtypeCategory::Generic => "generic",
        DtypeCategory::Number => "number",
        DtypeCategory::Integer => "integer",
        DtypeCategory::SignedInteger => "signedinteger",
        DtypeCategory::UnsignedInteger => "unsignedinteger",
        DtypeCategory::Inexact => "inexact",
        DtypeCategory::Floating => "floating",
        DtypeCategory::ComplexFloating => "complexfloating",
    }
}

pub const CATEGORIES: [DtypeCategory; 8] = [
    DtypeCategory::Generic,
    DtypeCategory::Number,
    DtypeCategory::Integer,
    DtypeCategory::SignedInteger,
    DtypeCategory::UnsignedInteger,
    DtypeCategory::Inexact,
    DtypeCategory::Floating,
    DtypeCategory::ComplexFloating,
];

/// A dtype argument: an `mx.Dtype`, or None.
pub fn dtype_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Dtype>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.extract::<PyDtype>() {
            Ok(d) => Ok(Some(d.0)),
            Err(_) => Err(PyTypeError::new_err(format!("expected a dtype (such as mx.float32), got {}", o.repr()?))),
        },
    }
}

pub fn dtype_like(obj: &Bound<'_, PyAny>) -> PyResult<DtypeLike> {
    if let Ok(d) = obj.extract::<PyDtype>() {
        return Ok(DtypeLike::Dtype(d.0));
    }
    if let Ok(c) = obj.extract::<PyDtypeCategory>() {
        return Ok(DtypeLike::Category(c.0));
    }
    Err(PyTypeError::new_err(format!("expected a dtype or a dtype category, got {}", obj.repr()?)))
}

/// Limits of a floating-point dtype: `mx.finfo(mx.float16).max`.
#[pyclass(name = "finfo", module = "rmlx.core", frozen)]
pub struct PyFInfo {
    #[pyo3(get)]
    dtype: PyDtype,
    #[pyo3(get)]
    bits: usize,
    #[pyo3(get)]
    min: f64,
    #[pyo3(get)]
    max: f64,
    #[pyo3(get)]
    eps: f64,
    #[pyo3(get)]
    tiny: f64,
}

#[pymethods]
impl PyFInfo {
    #[new]
    fn new(dtype: &Bound<'_, PyAny>) -> PyResult<Self> {
        let dt = dtype_arg(Some(dtype))?.ok_or_else(|| PyTypeError::new_err("finfo needs a dtype"))?;
        let f = rmlx_core::finfo(dt).map_err(crate::errors::to_py)?;
        Ok(PyFInfo { dtype: PyDtype(f.dtype), bits: f.bits, min: f.min, max: f.max, eps: f.eps, tiny: f.tiny })
    }
    /// The smallest positive normal number (as NumPy's and MLX's `finfo`).
    #[getter]
    fn smallest_normal(&self) -> f64 {
        self.tiny
    }
    fn __repr__(&self) -> String {
        use rmlx_core::format::fmt_float;
        format!("finfo(min={}, max={}, dtype={})", fmt_float(self.min), fmt_float(self.max), self.dtype.0.name())
    }
}

/// Limits of an integer dtype: `mx.iinfo(mx.int8).min`.
#[pyclass(name = "iinfo", module = "rmlx.core", frozen)]
pub struct PyIInfo {
    #[pyo3(get)]
    dtype: PyDtype,
    #[pyo3(get)]
    bits: usize,
    #[pyo3(get)]
    min: i128,
    #[pyo3(get)]
    max: i128,
}

#[pymethods]
impl PyIInfo {
    #[new]
    fn new(dtype: &Bound<'_, PyAny>) -> PyResult<Self> {
        let dt = dtype_arg(Some(dtype))?.ok_or_else(|| PyTypeError::new_err("iinfo needs a dtype"))?;
        let i = rmlx_core::iinfo(dt).map_err(crate::errors::to_py)?;
        Ok(PyIInfo { dtype: PyDtype(i.dtype), bits: i.bits, min: i.min, max: i.max })
    }
    fn __repr__(&self) -> String {
        format!("iinfo(min={}, max={}, dtype={})", self.min, self.max, self.dtype.0.name())
    }
}
