//! The Python extension `rmlx.core`: `import rmlx.core as mx` behaves like
//! `import mlx.core as mx` for what rmlx has so far.

use pyo3::prelude::*;
use pyo3::types::PyModule;

mod array;
mod convert;
mod device;
mod dlpack;
mod dtype;
mod errors;
mod index;
mod inspect;
mod ops;
mod table;
mod transforms;

use array::PyArray;
use device::{PyDevice, PyDeviceType, PyStream};
use dtype::{PyDtype, PyDtypeCategory, CATEGORIES};
use errors::Py as _;

/// `with mx.stream(s):` places the ops built inside on `s` (a Stream, a
/// ThreadLocalStream, a Device or a DeviceType).
#[pyclass(name = "StreamContext", module = "rmlx.core", frozen)]
struct StreamContext {
    target: Py<PyAny>,
}

#[pymethods]
impl StreamContext {
    /// `StreamContext(s)`: what `mx.stream(s)` gives.
    #[new]
    fn new(s: &Bound<'_, PyAny>) -> PyResult<Self> {
        device::stream_arg(Some(s))?.ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err("StreamContext needs a Stream or a Device, got None")
        })?;
        Ok(StreamContext { target: s.clone().unbind() })
    }
    /// Resolved on entry: a ThreadLocalStream is the entering thread's stream.
    fn __enter__(&self, py: Python<'_>) -> PyResult<()> {
        match device::stream_arg(Some(self.target.bind(py)))? {
            Some(t) => rmlx_core::push_stream(t).py(),
            None => Err(pyo3::exceptions::PyTypeError::new_err("StreamContext needs a Stream or a Device, got None")),
        }
    }
    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        rmlx_core::pop_stream();
        false
    }
}

/// A context manager placing the ops built inside it on `s`: `with
/// mx.stream(mx.cpu): ...`. `s` is a Stream, a Device or a DeviceType.
#[pyfunction]
fn stream(s: &Bound<'_, PyAny>) -> PyResult<StreamContext> {
    StreamContext::new(s)
}

/// Whether a CUDA GPU is usable by rmlx on this machine.
#[pyfunction]
fn cuda_is_available() -> bool {
    rmlx_core::is_available(rmlx_core::Device::Gpu(0))
}

/// Whether Metal is available: always False (rmlx runs on CPUs and CUDA GPUs).
#[pyfunction]
fn metal_is_available() -> bool {
    false
}

#[pymodule]
#[pyo3(name = "core")]
fn core_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyArray>()?;
    m.add_class::<array::AtIndexer>()?;
    m.add_class::<array::AtSlot>()?;
    m.add_class::<PyDtype>()?;
    m.add_class::<PyDtypeCategory>()?;
    m.add_class::<dtype::PyFInfo>()?;
    m.add_class::<dtype::PyIInfo>()?;
    m.add_class::<PyDevice>()?;
    m.add_class::<PyDeviceType>()?;
    m.add_class::<PyStream>()?;
    m.add_class::<StreamContext>()?;
    device::add(m)?;
    inspect::add(m)?;
    for dt in rmlx_core::dtype::ALL_DTYPES {
        m.add(dt.name(), PyDtype(dt))?;
    }
    m.add("bool_", PyDtype(rmlx_core::Dtype::Bool))?;
    for c in CATEGORIES {
        m.add(dtype::category_name(c), PyDtypeCategory(c))?;
    }
    m.add("cpu", PyDeviceType::Cpu)?;
    m.add("gpu", PyDeviceType::Gpu)?;
    m.add("pi", std::f64::consts::PI)?;
    m.add("e", std::f64::consts::E)?;
    m.add("euler_gamma", 0.577_215_664_901_532_9_f64)?;
    m.add("inf", f64::INFINITY)?;
    m.add("nan", f64::NAN)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("newaxis", py.None())?;
    m.add("_MAX_NDIM", rmlx_core::shape::MAX_NDIM)?;
    m.add_function(wrap_pyfunction!(stream, m)?)?;
    m.add("IndexingError", errors::indexing_error_type(py)?)?;
    ops::register(m)?;
    m.add_function(wrap_pyfunction!(table::_op_table, m)?)?;
    dlpack::add(m)?;
    ops::runtime::add(m)?;
    m.add_function(wrap_pyfunction!(transforms::_vjp, m)?)?;
    m.add_function(wrap_pyfunction!(transforms::_vmap, m)?)?;
    m.add_function(wrap_pyfunction!(transforms::_jvp, m)?)?;
    m.add_function(wrap_pyfunction!(transforms::_custom_call, m)?)?;

    ops::random::add(m)?;
    let cuda = PyModule::new(py, "cuda")?;
    cuda.add_function(wrap_pyfunction!(cuda_is_available, &cuda)?)?;
    cuda.add("is_available", cuda.getattr("cuda_is_available")?)?;
    m.add_submodule(&cuda)?;
    let metal = PyModule::new(py, "metal")?;
    metal.add_function(wrap_pyfunction!(metal_is_available, &metal)?)?;
    metal.add("is_available", metal.getattr("metal_is_available")?)?;
    ops::runtime::add_metal_aliases(m, &metal)?;
    m.add_submodule(&metal)?;
    Ok(())
}
