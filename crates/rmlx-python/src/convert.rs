//! Python values to arrays and back: scalars, nested lists and tuples,
//! NumPy arrays (through `__array_interface__`), other arrays.

use num_complex::Complex32;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::{ops, Array, Dtype, Operand, Scalar};

use crate::array::PyArray;
use crate::errors::Py as _;

/// The kind of a Python scalar, ordered as MLX promotes them in a list.
#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
enum Kind {
    Bool,
    Int,
    Float,
    Complex,
}

enum Leaf {
    B(bool),
    I(i64),
    /// An int above int64's range that fits uint64 (NumPy makes these uint64).
    U(u64),
    F(f64),
    C(Complex32),
}

fn leaf(obj: &Bound<'_, PyAny>) -> PyResult<Option<Leaf>> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Some(Leaf::B(obj.extract()?)));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok(Some(Leaf::I(v)));
        }
        if let Ok(v) = obj.extract::<u64>() {
            return Ok(Some(Leaf::U(v)));
        }
        return Err(PyOverflowError::new_err(format!("integer {obj} is out of range for int64 and uint64")));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Some(Leaf::F(obj.extract()?)));
    }
    if let Ok(c) = obj.downcast::<PyComplex>() {
        return Ok(Some(Leaf::C(Complex32::new(c.real() as f32, c.imag() as f32))));
    }
    Ok(None)
}

/// A Python scalar as a weak scalar (None if `obj` is not one).
pub fn scalar_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    Ok(leaf(obj)?.map(|l| match l {
        Leaf::B(b) => Scalar::Bool(b),
        Leaf::I(i) => Scalar::Int(i),
        Leaf::U(u) => Scalar::Float(u as f64),
        Leaf::F(f) => Scalar::Float(f),
        Leaf::C(c) => Scalar::Complex(c),
    }))
}

fn is_numpy(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__array_interface__").unwrap_or(false) && !obj.is_instance_of::<PyArray>()
}

/// The dtype of a NumPy type string (`'<f4'`...), None if unsupported.
fn dtype_of_typestr(s: &str) -> Option<Dtype> {
    let (order, rest) = s.split_at(1);
    if order == ">" {
        return None;
    }
    Some(match rest {
        "b1" => Dtype::Bool,
        "u1" => Dtype::Uint8,
        "u2" => Dtype::Uint16,
        "u4" => Dtype::Uint32,
        "u8" => Dtype::Uint64,
        "i1" => Dtype::Int8,
        "i2" => Dtype::Int16,
        "i4" => Dtype::Int32,
        "i8" => Dtype::Int64,
        "f2" => Dtype::Float16,
        "f4" => Dtype::Float32,
        "f8" => Dtype::Float64,
        "c8" => Dtype::Complex64,
        _ => return None,
    })
}

/// The NumPy type string of a dtype (bfloat16 has none).
pub fn typestr(dt: Dtype) -> Option<&'static str> {
    Some(match dt {
        Dtype::Bool => "|b1",
        Dtype::Uint8 => "|u1",
        Dtype::Uint16 => "<u2",
        Dtype::Uint32 => "<u4",
        Dtype::Uint64 => "<u8",
        Dtype::Int8 => "|i1",
        Dtype::Int16 => "<i2",
        Dtype::Int32 => "<i4",
        Dtype::Int64 => "<i8",
        Dtype::Float16 => "<f2",
        Dtype::Float32 => "<f4",
        Dtype::Float64 => "<f8",
        Dtype::Complex64 => "<c8",
        Dtype::Bfloat16 => return None,
    })
}

/// A copy of a NumPy array (or scalar) of any layout. As in MLX, float64
/// becomes float32 and complex128 complex64 unless `want` asks for a dtype.
fn from_numpy(obj: &Bound<'_, PyAny>, want: Option<Dtype>) -> PyResult<Array> {
    let py = obj.py();
    let np = py.import("numpy")?;
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("order", "C")?;
    let mut c = np.call_method("asarray", (obj,), Some(&kw))?;
    let mut dt = c.getattr("dtype")?;
    let mut ts: String = dt.getattr("str")?.extract()?;
    let narrow = match (&ts[1..], want) {
        ("c16", None | Some(Dtype::Complex64)) => Some("complex64"),
        ("f8", None) => Some("float32"),
        _ => None,
    };
    if let Some(to) = narrow {
        c = c.call_method1("astype", (to,))?;
        dt = c.getattr("dtype")?;
        ts = dt.getattr("str")?.extract()?;
    }
    if ts.starts_with('>') {
        // Big-endian data: to native byte order first.
        c = c.call_method1("astype", (dt.call_method1("newbyteorder", ("=",))?,))?;
        dt = c.getattr("dtype")?;
        ts = dt.getattr("str")?.extract()?;
    }
    let dtype = match dtype_of_typestr(&ts) {
        Some(d) => d,
        None => {
            let name: String = dt.getattr("name")?.extract()?;
            return Err(PyValueError::new_err(format!("cannot make an array from a NumPy array of dtype {name}")));
        }
    };
    let shape: Vec<usize> = c.getattr("shape")?.extract()?;
    let nbytes: usize = c.getattr("nbytes")?.extract()?;
    if nbytes == 0 {
        return Array::from_bytes(&[], &shape, dtype).py();
    }
    let (addr, _readonly): (usize, bool) = c.getattr("__array_interface__")?.get_item("data")?.extract()?;
    // SAFETY: `c` is a C-contiguous NumPy array of `nbytes` bytes at `addr`,
    // alive (held here) while they are copied.
    let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, nbytes) };
    let a = Array::from_bytes(bytes, &shape, dtype).py();
    drop(c);
    a
}

/// Lists nested deeper than this are refused (each level is a dimension;
/// NumPy stops at 64), before the recursion over them could exhaust the stack.
const MAX_NESTING: usize = 1024;

fn shape_of(obj: &Bound<'_, PyAny>, shape: &mut Vec<usize>, depth: usize) -> PyResult<()> {
    if depth > MAX_NESTING {
        return Err(PyValueError::new_err(format!(
            "array initialization: lists nested more than {MAX_NESTING} levels deep are not supported"
        )));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let n = obj.len()?;
        if shape.len() == depth {
            shape.push(n);
        }
        if n > 0 {
            shape_of(&obj.get_item(0)?, shape, depth + 1)?;
        }
    } else if let Ok(a) = obj.downcast::<PyArray>() {
        if shape.len() == depth {
            shape.extend_from_slice(a.get().array().shape());
        }
    } else if is_numpy(obj) {
        let s: Vec<usize> = obj.getattr("shape")?.extract()?;
        if shape.len() == depth {
            shape.extend(s);
        }
    }
    Ok(())
}

fn flatten(
    obj: &Bound<'_, PyAny>,
    shape: &[usize],
    depth: usize,
    out: &mut Vec<Leaf>,
    arrays: &mut bool,
) -> PyResult<()> {
    let ragged = || {
        PyValueError::new_err(
            "initialization encountered a ragged nested list: every list at one depth must have the same length",
        )
    };
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        if depth >= shape.len() || obj.len()? != shape[depth] {
            return Err(ragged());
        }
        for item in obj.try_iter()? {
            flatten(&item?, shape, depth + 1, out, arrays)?;
        }
        return Ok(());
    }
    if obj.is_instance_of::<PyArray>() || is_numpy(obj) {
        *arrays = true;
        return Ok(());
    }
    if depth != shape.len() {
        return Err(ragged());
    }
    match leaf(obj)? {
        Some(l) => {
            out.push(l);
            Ok(())
        }
        None => Err(PyValueError::new_err(format!(
            "invalid type {} received in array initialization",
            obj.get_type().name()?
        ))),
    }
}

/// An array from any value `mx.array` takes, in `dtype` when given. An
/// rmlx array (or an `__mlx_array__` object) is cast lazily, like any op;
/// values from Python, NumPy and buffers come back computed, as in MLX.
pub fn to_array(obj: &Bound<'_, PyAny>, dtype: Option<Dtype>) -> PyResult<Array> {
    let a = to_array_inner(obj, dtype)?;
    match dtype {
        Some(d) if d != a.dtype() && (obj.downcast::<PyArray>().is_ok() || obj.hasattr("__mlx_array__")?) => {
            ops::astype(&a, d).py()
        }
        Some(d) => host_cast(a, d),
        None => Ok(a),
    }
}

/// Values read on the host in one dtype (int64, float64, uint8) and wanted
/// in another are cast there and then on the CPU: the array is ready, as
/// MLX's are, and the wider copy is not kept for a pending cast.
fn host_cast(a: Array, dt: Dtype) -> PyResult<Array> {
    if a.dtype() == dt {
        return Ok(a);
    }
    let b = rmlx_core::with_stream(rmlx_core::Device::Cpu, || ops::astype(&a, dt)).py()?.py()?;
    b.eval().py()?;
    // The array belongs where arrays made now go (a DLPack export follows it).
    b.on_stream(rmlx_core::device::current_stream().py()?).py()
}

fn to_array_inner(obj: &Bound<'_, PyAny>, dtype: Option<Dtype>) -> PyResult<Array> {
    if let Ok(a) = obj.downcast::<PyArray>() {
        return Ok(a.get().array());
    }
    if obj.hasattr("__mlx_array__")? {
        // MLX's protocol for objects that stand for an array.
        let inner = obj.call_method0("__mlx_array__")?;
        return match inner.downcast::<PyArray>() {
            Ok(a) => Ok(a.get().array()),
            Err(_) => Err(PyTypeError::new_err("__mlx_array__ must return an rmlx.core.array")),
        };
    }
    if let Some(l) = leaf(obj)? {
        return scalar_array(l, dtype);
    }
    if is_numpy(obj) {
        return from_numpy(obj, dtype);
    }
    if obj.is_instance_of::<pyo3::types::PyBytes>() || obj.is_instance_of::<pyo3::types::PyByteArray>() {
        // bytes and bytearray are arrays of uint8, as in MLX.
        let v: Vec<u8> = match obj.downcast::<pyo3::types::PyBytes>() {
            Ok(b) => b.as_bytes().to_vec(),
            Err(_) => obj.downcast::<pyo3::types::PyByteArray>()?.to_vec(),
        };
        let a = Array::from_slice(&v, &[v.len()]).py()?;
        return match dtype {
            Some(d) => host_cast(a, d),
            None => Ok(a),
        };
    }
    if obj.is_instance_of::<pyo3::types::PyMemoryView>() {
        // A buffer (memoryview): read through NumPy, which knows its formats.
        let np = obj.py().import("numpy")?;
        return from_numpy(&np.call_method1("asarray", (obj,))?, dtype);
    }
    if crate::dlpack::has_dlpack(obj) && !obj.is_instance_of::<PyList>() && !obj.is_instance_of::<PyTuple>() {
        // A PyTorch tensor, a JAX array...: read through DLPack, then copied
        // (an array never shares memory its producer may change), at once:
        // the producer may change its memory right after this returns.
        let c = ops::copy(&crate::dlpack::import(obj)?).py()?;
        obj.py().detach_eval(&c)?;
        return Ok(c);
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut shape = Vec::new();
        shape_of(obj, &mut shape, 0)?;
        let mut leaves = Vec::new();
        let mut arrays = false;
        flatten(obj, &shape, 0, &mut leaves, &mut arrays)?;
        if arrays {
            // A list holding arrays: each item becomes an array, then they stack.
            let items: Vec<Array> = obj.try_iter()?.map(|i| to_array_inner(&i?, dtype)).collect::<PyResult<_>>()?;
            if items.is_empty() {
                return Array::from_slice::<f32>(&[], &[0]).py();
            }
            if items.iter().any(|a| a.shape() != items[0].shape()) {
                return Err(PyValueError::new_err(
                    "initialization encountered a ragged nested list: the arrays in it differ in shape",
                ));
            }
            return ops::stack(&items, 0).py();
        }
        let kind = leaves
            .iter()
            .map(|l| match l {
                Leaf::B(_) => Kind::Bool,
                Leaf::I(_) | Leaf::U(_) => Kind::Int,
                Leaf::F(_) => Kind::Float,
                Leaf::C(_) => Kind::Complex,
            })
            .fold(None, |acc: Option<Kind>, k| Some(acc.map_or(k, |a| if k > a { k } else { a })));
        let target = dtype.unwrap_or(match kind {
            None | Some(Kind::Float) => Dtype::Float32,
            Some(Kind::Bool) => Dtype::Bool,
            Some(Kind::Int) => {
                let fits = leaves.iter().all(|l| match l {
                    Leaf::I(i) => i32::try_from(*i).is_ok(),
                    Leaf::U(_) => false,
                    _ => true,
                });
                if fits {
                    Dtype::Int32
                } else if leaves.iter().any(|l| matches!(l, Leaf::U(_))) {
                    Dtype::Uint64
                } else {
                    Dtype::Int64
                }
            }
            Some(Kind::Complex) => Dtype::Complex64,
        });
        return leaves_array(&leaves, &shape, target);
    }
    Err(PyValueError::new_err(format!("invalid type {} received in array initialization", obj.get_type().name()?)))
}

fn scalar_array(l: Leaf, dtype: Option<Dtype>) -> PyResult<Array> {
    let dt = dtype.unwrap_or(match &l {
        Leaf::B(_) => Dtype::Bool,
        Leaf::I(i) if i32::try_from(*i).is_ok() => Dtype::Int32,
        Leaf::I(_) => Dtype::Int64,
        Leaf::U(_) => Dtype::Uint64,
        Leaf::F(_) => Dtype::Float32,
        Leaf::C(_) => Dtype::Complex64,
    });
    leaves_array(&[l], &[], dt)
}

fn check_int_range(v: i64, dt: Dtype) -> PyResult<()> {
    if !dt.is_integer() {
        return Ok(());
    }
    let info = rmlx_core::iinfo(dt).py()?;
    if (v as i128) < info.min || (v as i128) > info.max {
        return Err(PyOverflowError::new_err(format!("integer {v} is out of range for {dt}")));
    }
    Ok(())
}

fn leaves_array(leaves: &[Leaf], shape: &[usize], dt: Dtype) -> PyResult<Array> {
    if dt.is_complex() {
        let v: Vec<Complex32> = leaves
            .iter()
            .map(|l| match l {
                Leaf::B(b) => Complex32::new(*b as i32 as f32, 0.0),
                Leaf::I(i) => Complex32::new(*i as f32, 0.0),
                Leaf::U(u) => Complex32::new(*u as f32, 0.0),
                Leaf::F(f) => Complex32::new(*f as f32, 0.0),
                Leaf::C(c) => *c,
            })
            .collect();
        return Array::from_slice(&v, shape).py();
    }
    if leaves.iter().any(|l| matches!(l, Leaf::C(_))) {
        return Err(PyTypeError::new_err(format!("cannot put complex values in an array of {dt}")));
    }
    if leaves.iter().any(|l| matches!(l, Leaf::U(_))) && leaves.iter().all(|l| !matches!(l, Leaf::F(_))) {
        // Ints beyond int64: only uint64 (or a float dtype) holds them.
        if dt == Dtype::Uint64 {
            let v: Vec<u64> = leaves
                .iter()
                .map(|l| match l {
                    Leaf::B(b) => Ok(*b as u64),
                    Leaf::I(i) => u64::try_from(*i)
                        .map_err(|_| PyOverflowError::new_err(format!("integer {i} is out of range for uint64"))),
                    Leaf::U(u) => Ok(*u),
                    _ => Ok(0),
                })
                .collect::<PyResult<_>>()?;
            return Array::from_slice(&v, shape).py();
        }
        if dt.is_integer() || dt == Dtype::Bool {
            let big = leaves.iter().find_map(|l| if let Leaf::U(u) = l { Some(*u) } else { None }).unwrap_or(0);
            return Err(PyOverflowError::new_err(format!("integer {big} is out of range for {dt}")));
        }
    }
    if leaves.iter().all(|l| !matches!(l, Leaf::F(_)))
        && !(dt.is_inexact() && leaves.iter().any(|l| matches!(l, Leaf::U(_))))
    {
        let v: Vec<i64> = leaves
            .iter()
            .map(|l| match l {
                Leaf::B(b) => *b as i64,
                Leaf::I(i) => *i,
                _ => 0,
            })
            .collect();
        for &x in &v {
            check_int_range(x, dt)?;
        }
        return host_cast(Array::from_slice(&v, shape).py()?, dt);
    }
    let v: Vec<f64> = leaves
        .iter()
        .map(|l| match l {
            Leaf::B(b) => *b as i64 as f64,
            Leaf::I(i) => *i as f64,
            Leaf::U(u) => *u as f64,
            Leaf::F(f) => *f,
            Leaf::C(_) => 0.0,
        })
        .collect();
    host_cast(Array::from_slice(&v, shape).py()?, dt)
}

/// An operand of a binary op: arrays stay arrays, Python scalars stay weak.
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Operand> {
    if let Ok(a) = obj.downcast::<PyArray>() {
        return Ok(Operand::Array(a.get().array()));
    }
    if let Some(s) = scalar_of(obj)? {
        return Ok(Operand::Scalar(s));
    }
    Ok(Operand::Array(to_array(obj, None)?))
}

/// The operands of an op on several values, as MLX takes them: arrays as
/// they are, Python scalars weakly typed (an int must fit an integer array's
/// dtype), and anything else (NumPy arrays and scalars, DLPack tensors)
/// converted in the dtype of the first rmlx array among the operands.
pub fn operands(objs: &[&Bound<'_, PyAny>]) -> PyResult<Vec<Operand>> {
    let mx: Vec<Option<Array>> = objs.iter().map(|o| as_mx(o)).collect::<PyResult<_>>()?;
    let first = mx.iter().flatten().next().map(|a| a.dtype());
    let out: Vec<Operand> = objs
        .iter()
        .zip(mx)
        .map(|(o, m)| {
            if let Some(a) = m {
                return Ok(Operand::Array(a));
            }
            if let Some(s) = scalar_of(o)? {
                return Ok(Operand::Scalar(s));
            }
            Ok(Operand::Array(to_array(o, first)?))
        })
        .collect::<PyResult<_>>()?;
    for o in &out {
        if let Operand::Scalar(Scalar::Int(v)) = o {
            for other in &out {
                if let Operand::Array(a) = other {
                    check_fits(*v, a.dtype())?;
                }
            }
        }
    }
    Ok(out)
}

/// An rmlx array, or an object standing for one (`__mlx_array__`).
pub fn as_mx(obj: &Bound<'_, PyAny>) -> PyResult<Option<Array>> {
    if let Ok(a) = obj.downcast::<PyArray>() {
        return Ok(Some(a.get().array()));
    }
    if obj.hasattr("__mlx_array__")? {
        return to_array_inner(obj, None).map(Some);
    }
    Ok(None)
}

/// `operands` of two values.
pub fn operand_pair(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<(Operand, Operand)> {
    let [x, y]: [Operand; 2] =
        operands(&[a, b])?.try_into().map_err(|_| PyValueError::new_err("internal: expected two operands"))?;
    Ok((x, y))
}

/// MLX refuses a Python int that an integer array's dtype cannot hold.
pub fn check_fits(v: i64, dt: Dtype) -> PyResult<()> {
    if dt.is_integer() {
        let info = rmlx_core::iinfo(dt).py()?;
        if (v as i128) < info.min || (v as i128) > info.max {
            return Err(PyValueError::new_err(format!("Converting {v} to {dt} would result in overflow.")));
        }
    }
    Ok(())
}

/// A Python scalar of element 0 of an evaluated, one-element array.
pub fn item(py: Python<'_>, a: &Array) -> PyResult<Py<PyAny>> {
    let dt = a.dtype();
    py.detach_eval(a)?;
    if dt == Dtype::Bool {
        return a.item::<bool>().py()?.into_py_any(py);
    }
    if dt.is_complex() {
        let c = a.item::<Complex32>().py()?;
        return num_complex::Complex64::new(c.re as f64, c.im as f64).into_py_any(py);
    }
    if dt.is_integer() {
        if dt == Dtype::Uint64 {
            return a.item::<u64>().py()?.into_py_any(py);
        }
        return a.item::<i64>().py()?.into_py_any(py);
    }
    a.item::<f64>().py()?.into_py_any(py)
}

/// Evaluation with the interpreter released.
pub trait DetachEval {
    fn detach_eval(self, a: &Array) -> PyResult<()>;
}
impl DetachEval for Python<'_> {
    fn detach_eval(self, a: &Array) -> PyResult<()> {
        let a = a.clone();
        self.allow_threads(move || a.eval()).py()
    }
}

/// Nested lists of Python scalars.
pub fn tolist(py: Python<'_>, a: &Array) -> PyResult<Py<PyAny>> {
    py.detach_eval(a)?;
    let dt = a.dtype();
    let shape = a.shape().to_vec();
    fn build<T: Copy>(
        py: Python<'_>,
        v: &[T],
        shape: &[usize],
        f: &dyn Fn(T) -> PyResult<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if shape.is_empty() {
            return f(v[0]);
        }
        let step: usize = shape[1..].iter().product();
        let items: Vec<Py<PyAny>> =
            (0..shape[0]).map(|i| build(py, &v[i * step..(i + 1) * step], &shape[1..], f)).collect::<PyResult<_>>()?;
        PyList::new(py, items)?.into_py_any(py)
    }
    if dt == Dtype::Bool {
        let v = a.to_vec::<bool>().py()?;
        return build(py, &v, &shape, &|x| x.into_py_any(py));
    }
    if dt.is_complex() {
        let v = a.to_vec::<Complex32>().py()?;
        return build(py, &v, &shape, &|c| num_complex::Complex64::new(c.re as f64, c.im as f64).into_py_any(py));
    }
    if dt == Dtype::Uint64 {
        let v = a.to_vec::<u64>().py()?;
        return build(py, &v, &shape, &|x| x.into_py_any(py));
    }
    if dt.is_integer() {
        let v = a.to_vec::<i64>().py()?;
        return build(py, &v, &shape, &|x| x.into_py_any(py));
    }
    let v = a.to_vec::<f64>().py()?;
    build(py, &v, &shape, &|x| x.into_py_any(py))
}
