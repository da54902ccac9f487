//! DLPack: `array.__dlpack__`, `array.__dlpack_device__` and
//! `mx.from_dlpack`, without copies on the CPU and on CUDA GPUs; and the
//! zero-copy NumPy view behind `np.asarray(a)`.
//!
//! The structures are DLPack's C ABI (dlpack.h, version 1): the legacy
//! `DLManagedTensor` in a capsule named "dltensor", and the versioned
//! `DLManagedTensorVersioned` in one named "dltensor_versioned" when the
//! consumer passes `max_version >= (1, 0)`. A consumer renames the capsule
//! to "used_..." and then owns the tensor: it calls the deleter when done.

use std::ffi::{c_char, c_void, CStr};

use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rmlx_core::{ops, Array, Device, Dtype};

use crate::array::{wrap, PyArray};
use crate::errors::Py as _;

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

const KDL_CPU: i32 = 1;
const KDL_CUDA: i32 = 2;
const KDL_CUDA_HOST: i32 = 3;
const KDL_CUDA_MANAGED: i32 = 13;
const FLAG_READ_ONLY: u64 = 1;
/// The DLPack version written into versioned capsules.
const VERSION: (u32, u32) = (1, 1);

const LEGACY: &CStr = c"dltensor";
const USED_LEGACY: &CStr = c"used_dltensor";
const VERSIONED: &CStr = c"dltensor_versioned";
const USED_VERSIONED: &CStr = c"used_dltensor_versioned";

fn dl_dtype(d: Dtype) -> DLDataType {
    let bits = (d.size() * 8) as u8;
    let code = match d {
        Dtype::Bool => 6,
        Dtype::Uint8 | Dtype::Uint16 | Dtype::Uint32 | Dtype::Uint64 => 1,
        Dtype::Int8 | Dtype::Int16 | Dtype::Int32 | Dtype::Int64 => 0,
        Dtype::Float16 | Dtype::Float32 | Dtype::Float64 => 2,
        Dtype::Bfloat16 => 4,
        Dtype::Complex64 => 5,
    };
    DLDataType { code, bits, lanes: 1 }
}

fn dtype_of(t: DLDataType) -> PyResult<Dtype> {
    let d = match (t.code, t.bits, t.lanes) {
        (6, 8, 1) => Dtype::Bool,
        (1, 8, 1) => Dtype::Uint8,
        (1, 16, 1) => Dtype::Uint16,
        (1, 32, 1) => Dtype::Uint32,
        (1, 64, 1) => Dtype::Uint64,
        (0, 8, 1) => Dtype::Int8,
        (0, 16, 1) => Dtype::Int16,
        (0, 32, 1) => Dtype::Int32,
        (0, 64, 1) => Dtype::Int64,
        (2, 16, 1) => Dtype::Float16,
        (2, 32, 1) => Dtype::Float32,
        (2, 64, 1) => Dtype::Float64,
        (4, 16, 1) => Dtype::Bfloat16,
        (5, 64, 1) => Dtype::Complex64,
        (code, bits, lanes) => {
            return Err(PyValueError::new_err(format!(
                "DLPack: no rmlx dtype for type code {code} with {bits} bits and {lanes} lanes \
                 (bool, int8-64, uint8-64, float16/32/64, bfloat16 and complex64 are supported)"
            )))
        }
    };
    Ok(d)
}

fn dl_device(d: Device) -> DLDevice {
    match d {
        Device::Cpu => DLDevice { device_type: KDL_CPU, device_id: 0 },
        Device::Gpu(i) => DLDevice { device_type: KDL_CUDA, device_id: i as i32 },
    }
}

/// The device whose memory an array's export addresses: a GPU stream's
/// arrays are exported on that GPU, the others on the host.
fn home(a: &Array) -> Device {
    a.stream().device
}

// ------------------------------------------------------------------ export

/// What an exported tensor keeps alive: the array and the shape and
/// strides the DLTensor points into.
struct Exported {
    _keep: Array,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

unsafe extern "C" fn delete_legacy(m: *mut DLManagedTensor) {
    if !m.is_null() {
        // SAFETY: `m` and its context were made by `Box::into_raw` in `export`, and are freed once.
        let m = unsafe { Box::from_raw(m) };
        drop(unsafe { Box::from_raw(m.manager_ctx as *mut Exported) });
    }
}

unsafe extern "C" fn delete_versioned(m: *mut DLManagedTensorVersioned) {
    if !m.is_null() {
        // SAFETY: as in `delete_legacy`.
        let m = unsafe { Box::from_raw(m) };
        drop(unsafe { Box::from_raw(m.manager_ctx as *mut Exported) });
    }
}

/// Frees an exported tensor that no consumer took (the capsule still has its first name).
unsafe extern "C" fn capsule_legacy(cap: *mut ffi::PyObject) {
    // SAFETY: `cap` is a capsule; IsValid checks the name and sets no error.
    unsafe {
        if ffi::PyCapsule_IsValid(cap, LEGACY.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(cap, LEGACY.as_ptr()) as *mut DLManagedTensor;
            if let Some(d) = m.as_ref().and_then(|m| m.deleter) {
                d(m);
            }
        }
    }
}

unsafe extern "C" fn capsule_versioned(cap: *mut ffi::PyObject) {
    // SAFETY: as in `capsule_legacy`.
    unsafe {
        if ffi::PyCapsule_IsValid(cap, VERSIONED.as_ptr()) == 1 {
            let m = ffi::PyCapsule_GetPointer(cap, VERSIONED.as_ptr()) as *mut DLManagedTensorVersioned;
            if let Some(d) = m.as_ref().and_then(|m| m.deleter) {
                d(m);
            }
        }
    }
}

/// A capsule holding `a`'s elements on `device`, ready for work on the
/// `consumer` CUDA stream.
fn export(py: Python<'_>, a: Array, device: Device, consumer: Option<u64>, versioned: bool) -> PyResult<Py<PyAny>> {
    let keep = a.clone();
    let parts = py.allow_threads(move || keep.raw_parts(device, consumer)).py()?;
    let mut ctx = Box::new(Exported {
        shape: a.shape().iter().map(|&d| d as i64).collect(),
        strides: parts.strides.iter().map(|&s| s as i64).collect(),
        _keep: a.clone(),
    });
    let tensor = DLTensor {
        data: parts.ptr as *mut c_void,
        device: dl_device(device),
        ndim: a.ndim() as i32,
        dtype: dl_dtype(a.dtype()),
        shape: ctx.shape.as_mut_ptr(),
        strides: ctx.strides.as_mut_ptr(),
        byte_offset: 0,
    };
    let ctx = Box::into_raw(ctx) as *mut c_void;
    // SAFETY: the capsule takes the boxes; its destructor (or a consumer,
    // through the deleter) frees them exactly once.
    unsafe {
        let cap = if versioned {
            let m = Box::into_raw(Box::new(DLManagedTensorVersioned {
                version: DLPackVersion { major: VERSION.0, minor: VERSION.1 },
                manager_ctx: ctx,
                deleter: Some(delete_versioned),
                flags: FLAG_READ_ONLY,
                dl_tensor: tensor,
            }));
            let cap = ffi::PyCapsule_New(m as *mut c_void, VERSIONED.as_ptr(), Some(capsule_versioned));
            if cap.is_null() {
                delete_versioned(m);
            }
            cap
        } else {
            let m = Box::into_raw(Box::new(DLManagedTensor {
                dl_tensor: tensor,
                manager_ctx: ctx,
                deleter: Some(delete_legacy),
            }));
            let cap = ffi::PyCapsule_New(m as *mut c_void, LEGACY.as_ptr(), Some(capsule_legacy));
            if cap.is_null() {
                delete_legacy(m);
            }
            cap
        };
        Ok(Bound::from_owned_ptr_or_err(py, cap)?.unbind())
    }
}

#[pymethods]
impl PyArray {
    /// A DLPack capsule over this array's elements, for `torch.from_dlpack`,
    /// `jax.dlpack.from_dlpack`, `np.from_dlpack` and other consumers. No copy
    /// is made when the data already lives on the device asked for (the
    /// array's own device unless `dl_device` names another). `stream` is the
    /// consumer's CUDA stream (None: the legacy default stream; -1: no
    /// ordering), ordered after the work that computes the array.
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__(
        &self,
        py: Python<'_>,
        stream: Option<&Bound<'_, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let a = self.array();
        let own = home(&a);
        let device = match dl_device {
            None => own,
            Some((KDL_CPU, _)) => Device::Cpu,
            Some((KDL_CUDA, i)) if i >= 0 => Device::Gpu(i as usize),
            Some((t, i)) => {
                return Err(PyBufferError::new_err(format!(
                    "__dlpack__: cannot export to DLPack device ({t}, {i}): only the CPU (1, 0) and CUDA GPUs (2, n) are supported"
                )))
            }
        };
        if copy == Some(false) && device != own {
            return Err(PyBufferError::new_err(format!(
                "__dlpack__: the array lives on {own}; exporting it to {device} needs a copy, and copy=False forbids one"
            )));
        }
        let stream: Option<i64> = match stream {
            Some(s) if !s.is_none() => Some(s.extract().map_err(|_| {
                PyTypeError::new_err("__dlpack__: stream must be an int (a CUDA stream handle) or None")
            })?),
            _ => None,
        };
        let consumer = match (device, stream) {
            (Device::Cpu, _) => None,
            (Device::Gpu(_), None) => Some(1),
            (Device::Gpu(_), Some(-1)) => None,
            (Device::Gpu(_), Some(s)) if s > 0 => Some(s as u64),
            (Device::Gpu(_), Some(s)) => {
                return Err(PyValueError::new_err(format!(
                    "__dlpack__: {s} is not a CUDA stream for DLPack (1: legacy default, 2: per-thread default, -1: no ordering, else a handle)"
                )))
            }
        };
        let a = if copy == Some(true) { ops::copy(&a).py()? } else { a };
        let versioned = max_version.is_some_and(|(major, _)| major >= 1);
        export(py, a, device, consumer, versioned)
    }

    /// `(device_type, device_id)` of DLPack: `(1, 0)` for the CPU, `(2, n)` for CUDA GPU n.
    fn __dlpack_device__(&self) -> (i32, i32) {
        let d = dl_device(home(&self.array()));
        (d.device_type, d.device_id)
    }
}

// ------------------------------------------------------------------ import

/// A tensor taken from a DLPack capsule: its deleter runs when rmlx drops it.
enum Foreign {
    Legacy(*mut DLManagedTensor),
    Versioned(*mut DLManagedTensorVersioned),
}

// SAFETY: DLPack deleters may be called from any thread (producers that need
// Python's GIL take it themselves, as NumPy's does).
unsafe impl Send for Foreign {}
// SAFETY: the pointer is only used by Drop.
unsafe impl Sync for Foreign {}

impl Drop for Foreign {
    fn drop(&mut self) {
        // SAFETY: the tensor was taken from its capsule once, and is released once here.
        unsafe {
            match *self {
                Foreign::Legacy(m) => {
                    if let Some(d) = (*m).deleter {
                        d(m)
                    }
                }
                Foreign::Versioned(m) => {
                    if let Some(d) = (*m).deleter {
                        d(m)
                    }
                }
            }
        }
    }
}

/// Takes the tensor of a DLPack capsule into an array over the same memory.
fn from_capsule(cap: &Bound<'_, PyAny>) -> PyResult<Array> {
    let p = cap.as_ptr();
    // SAFETY: `cap` is a live object; GetName checks that it is a capsule.
    let name_ptr: *const c_char = unsafe { ffi::PyCapsule_GetName(p) };
    if name_ptr.is_null() {
        return Err(PyErr::fetch(cap.py()));
    }
    // SAFETY: a capsule's name is a NUL-terminated string.
    let name = unsafe { CStr::from_ptr(name_ptr) };
    let versioned = if name == VERSIONED {
        true
    } else if name == LEGACY {
        false
    } else if name == USED_LEGACY || name == USED_VERSIONED {
        return Err(PyValueError::new_err("from_dlpack: this DLPack capsule was already consumed"));
    } else {
        return Err(PyValueError::new_err(format!(
            "from_dlpack: a capsule named {name:?} is not a DLPack tensor (\"dltensor\" or \"dltensor_versioned\")"
        )));
    };
    // SAFETY: the name was just read from this capsule.
    let raw = unsafe { ffi::PyCapsule_GetPointer(p, name_ptr) };
    if raw.is_null() {
        return Err(PyErr::fetch(cap.py()));
    }
    // SAFETY: a capsule of this name holds a live managed tensor of this
    // kind; nothing is taken until the capsule is renamed below, so every
    // refusal before that leaves the tensor to the capsule's destructor
    // (a `Foreign` made earlier would free it twice: it did, for a
    // complex128 NumPy array, refused by `dtype_of`).
    let t = unsafe {
        if versioned {
            let m = raw as *mut DLManagedTensorVersioned;
            if (*m).version.major != 1 {
                return Err(PyBufferError::new_err(format!(
                    "from_dlpack: DLPack version {}.{} is not supported (1.x is)",
                    (*m).version.major,
                    (*m).version.minor
                )));
            }
            &(*m).dl_tensor
        } else {
            let m = raw as *mut DLManagedTensor;
            &(*m).dl_tensor
        }
    };
    let dtype = dtype_of(t.dtype)?;
    let device = match t.device.device_type {
        KDL_CPU | KDL_CUDA_HOST | KDL_CUDA_MANAGED => Device::Cpu,
        KDL_CUDA if t.device.device_id >= 0 => Device::Gpu(t.device.device_id as usize),
        other => {
            return Err(PyBufferError::new_err(format!(
                "from_dlpack: DLPack device type {other} (id {}) is not supported (CPU, CUDA, CUDA host and CUDA managed memory are)",
                t.device.device_id
            )))
        }
    };
    if t.ndim < 0 || (t.ndim > 0 && t.shape.is_null()) {
        return Err(PyValueError::new_err(format!("from_dlpack: the tensor has {} dimensions and no shape", t.ndim)));
    }
    let nd = t.ndim as usize;
    // SAFETY: DLPack promises `ndim` shape entries, and as many strides when not null.
    let (shape, strides) = unsafe {
        let shape: &[i64] = if nd == 0 { &[] } else { std::slice::from_raw_parts(t.shape, nd) };
        let strides = (!t.strides.is_null() && nd > 0).then(|| std::slice::from_raw_parts(t.strides, nd).to_vec());
        (shape.to_vec(), strides)
    };
    if let Some(d) = shape.iter().find(|&&d| d < 0) {
        return Err(PyValueError::new_err(format!("from_dlpack: negative dimension {d} in shape {shape:?}")));
    }
    let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let strides: Option<Vec<isize>> = strides.map(|s| s.iter().map(|&x| x as isize).collect());
    let ptr = (t.data as u64).wrapping_add(t.byte_offset);
    // Take the tensor: from here on `foreign` releases it.
    let foreign = if versioned {
        Foreign::Versioned(raw as *mut DLManagedTensorVersioned)
    } else {
        Foreign::Legacy(raw as *mut DLManagedTensor)
    };
    let used = if versioned { USED_VERSIONED } else { USED_LEGACY };
    // SAFETY: renaming a live capsule.
    if unsafe { ffi::PyCapsule_SetName(p, used.as_ptr()) } != 0 {
        std::mem::forget(foreign);
        return Err(PyErr::fetch(cap.py()));
    }
    // SAFETY: the producer keeps the memory valid until its deleter runs,
    // which happens when `foreign` is dropped with the last array over it.
    unsafe { Array::from_external(ptr, device, &shape, strides.as_deref(), dtype, Box::new(foreign)) }.py()
}

fn is_capsule(x: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a type check on a live object.
    unsafe { ffi::PyCapsule_CheckExact(x.as_ptr()) == 1 }
}

/// Does `x` offer DLPack (`__dlpack__`)?
pub fn has_dlpack(x: &Bound<'_, PyAny>) -> bool {
    x.hasattr("__dlpack__").unwrap_or(false)
}

/// An array over the memory of a DLPack producer (or capsule), without a copy.
pub fn import(x: &Bound<'_, PyAny>) -> PyResult<Array> {
    let py = x.py();
    if is_capsule(x) {
        return from_capsule(x);
    }
    if !has_dlpack(x) {
        return Err(PyTypeError::new_err(format!(
            "from_dlpack: {} has no __dlpack__ method (expected a PyTorch tensor, a JAX or NumPy array, or a DLPack capsule)",
            x.get_type().name()?
        )));
    }
    let (dev_type, dev_id): (i32, i32) = match x.getattr("__dlpack_device__") {
        Ok(f) => f.call0()?.extract()?,
        Err(_) => (KDL_CPU, 0),
    };
    // A CUDA producer orders its work before the stream rmlx will read on.
    let stream = if dev_type == KDL_CUDA {
        let s = rmlx_core::default_stream(Device::Gpu(dev_id.max(0) as usize)).py()?;
        Some(rmlx_core::gpu_stream_handle(s).py()?)
    } else {
        None
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("stream", stream)?;
    kwargs.set_item("max_version", (VERSION.0, VERSION.1))?;
    let cap = match x.call_method("__dlpack__", (), Some(&kwargs)) {
        Ok(c) => c,
        // Producers older than DLPack 1.0 take no max_version.
        Err(e) if e.is_instance_of::<PyTypeError>(py) => {
            kwargs.del_item("max_version")?;
            x.call_method("__dlpack__", (), Some(&kwargs))?
        }
        Err(e) => return Err(e),
    };
    from_capsule(&cap)
}

/// `mx.from_dlpack(x, /, *, copy=None)`: an array over the memory of any
/// DLPack producer (a PyTorch tensor, a JAX or NumPy array), on the CPU or a
/// CUDA GPU. No copy is made unless `copy=True`; the array then reads the
/// producer's memory, so changes the producer makes show through.
#[pyfunction]
#[pyo3(signature = (x, /, *, copy = None))]
pub fn from_dlpack(py: Python<'_>, x: &Bound<'_, PyAny>, copy: Option<bool>) -> PyResult<Py<PyArray>> {
    let a = import(x)?;
    let a = if copy == Some(true) {
        let c = ops::copy(&a).py()?;
        let e = c.clone();
        py.allow_threads(move || e.eval()).py()?;
        c
    } else {
        a
    };
    wrap(py, a)
}

// ------------------------------------------------------------------ NumPy

/// Hands NumPy an array's memory through `__array_interface__`: `np.asarray`
/// of it is a read-only view whose base keeps the array alive.
#[pyclass(name = "_NumPyView", module = "rmlx.core", frozen)]
pub struct NumPyView {
    _keep: Array,
    interface: Py<PyDict>,
}

#[pymethods]
impl NumPyView {
    #[getter]
    fn __array_interface__(&self, py: Python<'_>) -> Py<PyDict> {
        self.interface.clone_ref(py)
    }
}

/// A read-only NumPy array over `a`'s host memory (evaluating it, and
/// copying it from the GPU once if it lives there).
pub fn numpy_view<'py>(py: Python<'py>, a: &Array, typestr: &str) -> PyResult<Bound<'py, PyAny>> {
    let keep = a.clone();
    let parts = py.allow_threads(move || keep.raw_parts(Device::Cpu, None)).py()?;
    let isz = a.itemsize() as isize;
    let iface = PyDict::new(py);
    iface.set_item("version", 3)?;
    iface.set_item("shape", PyTuple::new(py, a.shape())?)?;
    iface.set_item("typestr", typestr)?;
    // A non-null address even for empty arrays.
    let ptr = if a.size() == 0 { parts.ptr.max(64) } else { parts.ptr };
    iface.set_item("data", (ptr as usize, true))?;
    let strides: Vec<isize> = parts.strides.iter().map(|s| s * isz).collect();
    iface.set_item("strides", PyTuple::new(py, strides)?)?;
    let view = Bound::new(py, NumPyView { _keep: a.clone(), interface: iface.unbind() })?;
    py.import("numpy")?.call_method1("asarray", (view,))
}

/// Registers `from_dlpack` and the view class.
pub fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NumPyView>()?;
    m.add_function(wrap_pyfunction!(from_dlpack, m)?)?;
    Ok(())
}
