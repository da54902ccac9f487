//! Devices and streams: `mx.cpu`, `mx.gpu`, `mx.Device`, `mx.Stream`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use rmlx_core::{Device, Stream, StreamOrDevice};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::errors::Py as _;

/// The kind of a device: `mx.cpu` or `mx.gpu`.
#[pyclass(name = "DeviceType", module = "rmlx.core", frozen)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PyDeviceType {
    #[pyo3(name = "cpu")]
    Cpu,
    #[pyo3(name = "gpu")]
    Gpu,
}

#[pymethods]
impl PyDeviceType {
    // A device type equals the device of that type with index 0 (as in MLX:
    // `mx.Device(mx.cpu) == mx.cpu`).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        device_like(other).is_some_and(|d| d == self.device())
    }
    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }
    fn __hash__(&self) -> u64 {
        device_hash(self.device())
    }
    fn __int__(&self) -> i64 {
        match self {
            PyDeviceType::Cpu => 0,
            PyDeviceType::Gpu => 1,
        }
    }
    fn __repr__(&self) -> &'static str {
        match self {
            PyDeviceType::Cpu => "DeviceType.cpu",
            PyDeviceType::Gpu => "DeviceType.gpu",
        }
    }
}

impl PyDeviceType {
    fn device(&self) -> Device {
        match self {
            PyDeviceType::Cpu => Device::Cpu,
            PyDeviceType::Gpu => Device::Gpu(0),
        }
    }
}

/// The device a `Device` or `DeviceType` stands for (None for other objects).
fn device_like(o: &Bound<'_, PyAny>) -> Option<Device> {
    if let Ok(d) = o.downcast::<PyDevice>() {
        return Some(d.get().0);
    }
    o.downcast::<PyDeviceType>().ok().map(|t| t.get().device())
}

fn device_hash(d: Device) -> u64 {
    match d {
        Device::Cpu => 0x5eed_0000,
        Device::Gpu(i) => 0x5eed_1000 + i as u64,
    }
}

/// A device: its type and index.
#[pyclass(name = "Device", module = "rmlx.core", frozen)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDevice(pub Device);

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (r#type, index = 0))]
    fn new(r#type: PyDeviceType, index: usize) -> PyResult<Self> {
        Ok(PyDevice(match r#type {
            PyDeviceType::Cpu if index == 0 => Device::Cpu,
            PyDeviceType::Cpu => {
                return Err(PyValueError::new_err(format!("there is one CPU device (index 0), not {index}")))
            }
            PyDeviceType::Gpu => Device::Gpu(index),
        }))
    }
    #[getter]
    fn r#type(&self) -> PyDeviceType {
        match self.0 {
            Device::Cpu => PyDeviceType::Cpu,
            Device::Gpu(_) => PyDeviceType::Gpu,
        }
    }
    #[getter]
    fn index(&self) -> usize {
        match self.0 {
            Device::Cpu => 0,
            Device::Gpu(i) => i,
        }
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        device_like(other).is_some_and(|d| d == self.0)
    }
    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }
    fn __hash__(&self) -> u64 {
        device_hash(self.0)
    }
    fn __repr__(&self) -> String {
        match self.0 {
            Device::Cpu => "Device(cpu, 0)".into(),
            Device::Gpu(i) => format!("Device(gpu, {i})"),
        }
    }
}

/// A stream of work on a device.
#[pyclass(name = "Stream", module = "rmlx.core", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyStream(pub Stream);

#[pymethods]
impl PyStream {
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice(self.0.device)
    }
    fn __repr__(&self) -> String {
        format!("Stream({}, {})", PyDevice(self.0.device).__repr__(), self.0.index)
    }
}

static NEXT_THREAD_LOCAL: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The stream each `ThreadLocalStream` stands for on this thread.
    static THREAD_LOCAL_STREAMS: RefCell<HashMap<usize, Stream>> = RefCell::new(HashMap::new());
}

/// A stream that is a different stream on each thread that uses it (made
/// on the thread's first use): `mx.new_thread_local_stream(device)`.
#[pyclass(name = "ThreadLocalStream", module = "rmlx.core", frozen)]
pub struct PyThreadLocalStream {
    id: usize,
    device: Device,
}

impl PyThreadLocalStream {
    /// This thread's stream.
    fn stream(&self) -> PyResult<Stream> {
        if let Some(s) = THREAD_LOCAL_STREAMS.with(|m| m.borrow().get(&self.id).copied()) {
            return Ok(s);
        }
        let s = rmlx_core::new_stream(self.device).py()?;
        THREAD_LOCAL_STREAMS.with(|m| m.borrow_mut().insert(self.id, s));
        Ok(s)
    }
}

#[pymethods]
impl PyThreadLocalStream {
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice(self.device)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<PyThreadLocalStream>().is_ok_and(|o| o.get().id == self.id)
    }
    fn __hash__(&self) -> u64 {
        0x7b5e_0000 ^ self.id as u64
    }
    fn __repr__(&self) -> String {
        format!("ThreadLocalStream({}, {})", PyDevice(self.device).__repr__(), self.id)
    }
}

/// The device `obj` names, refused with a ValueError (as MLX refuses it)
/// when this process cannot use it: asking `what` for a missing GPU is a
/// bad argument, not a failure of the run.
pub fn usable_device(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Device> {
    let device = device_of(obj)?;
    if !rmlx_core::is_available(device) {
        return Err(PyValueError::new_err(format!(
            "[{what}] {} is not available ({} GPU devices found)",
            PyDevice(device).__repr__(),
            rmlx_core::device_count(Device::Gpu(0))
        )));
    }
    Ok(device)
}

/// A stream that each thread using it gets its own of.
#[pyfunction]
fn new_thread_local_stream(device: &Bound<'_, PyAny>) -> PyResult<PyThreadLocalStream> {
    let device = usable_device(device, "new_thread_local_stream")?;
    Ok(PyThreadLocalStream { id: NEXT_THREAD_LOCAL.fetch_add(1, Ordering::Relaxed), device })
}

/// A new stream that any thread may use (every rmlx stream may be).
#[pyfunction(name = "new_thread_unsafe_stream")]
fn new_shared_stream(device: &Bound<'_, PyAny>) -> PyResult<PyStream> {
    Ok(PyStream(rmlx_core::new_stream(usable_device(device, "new_thread_unsafe_stream")?).py()?))
}

/// Makes `stream` the default of its device for this thread; the default
/// device does not change.
#[pyfunction]
fn set_default_stream(stream: &Bound<'_, PyAny>) -> PyResult<()> {
    let s = stream.extract::<PyStream>().map_err(|_| {
        PyTypeError::new_err(format!(
            "set_default_stream: expected a Stream, got {}",
            stream.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })?;
    if !rmlx_core::is_available(s.0.device) {
        return Err(PyValueError::new_err(format!("[set_default_stream] {} is not available", s.__repr__())));
    }
    rmlx_core::set_default_stream(s.0).py()
}

/// Forgets the streams this thread made: its `set_default_stream` choices
/// and what its `ThreadLocalStream`s stood for.
#[pyfunction]
fn clear_streams() {
    rmlx_core::clear_streams();
    THREAD_LOCAL_STREAMS.with(|m| m.borrow_mut().clear());
}

pub fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyThreadLocalStream>()?;
    m.add_function(wrap_pyfunction!(new_thread_local_stream, m)?)?;
    m.add_function(wrap_pyfunction!(new_shared_stream, m)?)?;
    m.add_function(wrap_pyfunction!(set_default_stream, m)?)?;
    m.add_function(wrap_pyfunction!(clear_streams, m)?)?;
    Ok(())
}

/// A device from a Device or a DeviceType.
pub fn device_of(obj: &Bound<'_, PyAny>) -> PyResult<Device> {
    if let Ok(d) = obj.extract::<PyDevice>() {
        return Ok(d.0);
    }
    if let Ok(t) = obj.extract::<PyDeviceType>() {
        return Ok(match t {
            PyDeviceType::Cpu => Device::Cpu,
            PyDeviceType::Gpu => Device::Gpu(0),
        });
    }
    Err(PyTypeError::new_err(format!("expected a Device or a DeviceType, got {}", obj.repr()?)))
}

/// A `stream=` argument: None, a Stream, a Device or a DeviceType.
pub fn stream_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<StreamOrDevice>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            if let Ok(s) = o.extract::<PyStream>() {
                return Ok(Some(s.0.into()));
            }
            if let Ok(t) = o.downcast::<PyThreadLocalStream>() {
                return Ok(Some(t.get().stream()?.into()));
            }
            Ok(Some(
                device_of(o)
                    .map_err(|_| {
                        PyTypeError::new_err(format!(
                            "stream= takes a Stream, a ThreadLocalStream or a Device, got {}",
                            o.repr().map(|r| r.to_string()).unwrap_or_default()
                        ))
                    })?
                    .into(),
            ))
        }
    }
}

/// Runs `f` with ops going to `stream` when one is given.
pub fn on<R>(stream: Option<&Bound<'_, PyAny>>, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    match stream_arg(stream)? {
        None => f(),
        Some(s) => rmlx_core::with_stream(s, f).py()?,
    }
}
