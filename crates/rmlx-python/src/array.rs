//! `mx.array`: construction, properties, operators, methods.

use std::sync::Mutex;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;
use rmlx_core::primitive::ScatterMode;
use rmlx_core::{ops, Array, Axes, Dtype, Operand};

use crate::convert::{self, operand, to_array, DetachEval};
use crate::device::on;
use crate::dtype::{dtype_arg, PyDtype};
use crate::errors::Py as _;

/// An n-dimensional array, evaluated lazily.
#[pyclass(name = "array", module = "rmlx.core", frozen, weakref)]
pub struct PyArray {
    inner: Mutex<Array>,
}

impl PyArray {
    pub fn new(a: Array) -> Self {
        PyArray { inner: Mutex::new(a) }
    }
    /// The array (a cheap handle).
    pub fn array(&self) -> Array {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub(crate) fn set(&self, a: Array) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = a;
    }
}

/// An axis argument: None (all), an int, or a sequence of ints.
pub fn axes_arg(axis: Option<&Bound<'_, PyAny>>) -> PyResult<Axes> {
    match axis {
        None => Ok(Axes::All),
        Some(o) if o.is_none() => Ok(Axes::All),
        Some(o) => {
            if let Ok(i) = o.extract::<i64>() {
                return Ok(Axes::Some(vec![i]));
            }
            o.extract::<Vec<i64>>().map(Axes::Some).map_err(|_| {
                PyTypeError::new_err(format!(
                    "axis must be None, an int or a sequence of ints, got {}",
                    o.repr().map(|r| r.to_string()).unwrap_or_default()
                ))
            })
        }
    }
}

/// A shape given as ints or one sequence of ints (`a.reshape(2, 3)` or `a.reshape((2, 3))`).
pub fn shape_args(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let o = args.get_item(0)?;
        if let Ok(v) = o.extract::<Vec<i64>>() {
            return Ok(v);
        }
    }
    args.iter().map(|o| o.extract::<i64>().map_err(|_| PyTypeError::new_err("a shape is a sequence of ints"))).collect()
}

pub fn wrap(py: Python<'_>, a: Array) -> PyResult<Py<PyArray>> {
    Py::new(py, PyArray::new(a))
}

type BinOp = fn(Operand, Operand) -> rmlx_core::Result<Array>;

/// The other operand of an operator on `this`: a Python scalar (an int must
/// fit an integer array's dtype), or a value converted in `this`'s dtype.
fn other_operand(this: &PyArray, other: &Bound<'_, PyAny>) -> PyResult<Operand> {
    let a = this.array();
    if let Ok(o) = other.downcast::<PyArray>() {
        return Ok(Operand::Array(o.get().array()));
    }
    if let Some(s) = convert::scalar_of(other)? {
        if let rmlx_core::Scalar::Int(v) = s {
            convert::check_fits(v, a.dtype())?;
        }
        return Ok(Operand::Scalar(s));
    }
    if let Some(o) = convert::as_mx(other)? {
        return Ok(Operand::Array(o));
    }
    match convert::to_array(other, Some(a.dtype())) {
        Ok(b) => Ok(Operand::Array(b)),
        // As MLX: None is a TypeError, other unusable values a ValueError.
        Err(_) if other.is_none() => Err(PyTypeError::new_err("cannot combine an rmlx.core.array with None")),
        Err(e) if e.is_instance_of::<PyTypeError>(other.py()) || e.is_instance_of::<PyValueError>(other.py()) => {
            Err(PyValueError::new_err(format!(
                "cannot combine an rmlx.core.array with an object of type {}",
                other.get_type().name()?
            )))
        }
        Err(e) => Err(e),
    }
}

fn bin(this: &PyArray, other: &Bound<'_, PyAny>, f: BinOp, reflected: bool) -> PyResult<Py<PyAny>> {
    let py = other.py();
    let b = other_operand(this, other)?;
    let a = Operand::Array(this.array());
    let r = if reflected { f(b, a) } else { f(a, b) }.py()?;
    wrap(py, r)?.into_py_any(py)
}

/// `==` / `!=`: a value that is no array at all (a string, None) compares
/// as `unconvertible` (simply unequal), converted only once.
fn compare(this: &PyArray, other: &Bound<'_, PyAny>, f: BinOp, unconvertible: bool) -> PyResult<Py<PyAny>> {
    let py = other.py();
    // As MLX: an array is compared elementwise with arrays (NumPy's too) and
    // scalars only; a list, a tuple or any other object is simply unequal.
    if other.is_instance_of::<pyo3::types::PyList>() || other.is_instance_of::<pyo3::types::PyTuple>() {
        return unconvertible.into_py_any(py);
    }
    match other_operand(this, other) {
        Ok(b) => wrap(py, f(Operand::Array(this.array()), b).py()?)?.into_py_any(py),
        Err(_) => unconvertible.into_py_any(py),
    }
}

macro_rules! binops {
    ($($name:ident, $rname:ident, $iname:ident => $f:path;)*) => {
        #[pymethods]
        impl PyArray {
            $(
                fn $name(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    bin(self, other, |a, b| $f(a, b), false)
                }
                fn $rname(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    bin(self, other, |a, b| $f(a, b), true)
                }
                fn $iname(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                    let this = slf.get();
                    let b = other_operand(this, other)?;
                    let r = $f(Operand::Array(this.array()), b).py()?;
                    this.set(r);
                    Ok(())
                }
            )*
        }
    };
}

binops! {
    __add__, __radd__, __iadd__ => ops::add;
    __sub__, __rsub__, __isub__ => ops::subtract;
    __mul__, __rmul__, __imul__ => ops::multiply;
    __truediv__, __rtruediv__, __itruediv__ => ops::divide;
    __floordiv__, __rfloordiv__, __ifloordiv__ => ops::floor_divide;
    __mod__, __rmod__, __imod__ => ops::remainder;
    __and__, __rand__, __iand__ => ops::bitwise_and;
    __or__, __ror__, __ior__ => ops::bitwise_or;
    __xor__, __rxor__, __ixor__ => ops::bitwise_xor;
    __lshift__, __rlshift__, __ilshift__ => ops::left_shift;
    __rshift__, __rrshift__, __irshift__ => ops::right_shift;
}

fn matmul_op(a: Operand, b: Operand) -> rmlx_core::Result<Array> {
    let arr = |o: Operand| match o {
        Operand::Array(a) => Ok(a),
        Operand::Scalar(_) => Err(rmlx_core::Error::Value("matmul: operands must be arrays, not scalars".into())),
    };
    ops::matmul(&arr(a)?, &arr(b)?)
}

#[pymethods]
impl PyArray {
    #[new]
    #[pyo3(signature = (val, dtype = None))]
    fn py_new(val: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PyArray::new(to_array(val, dtype_arg(dtype)?)?))
    }

    /// The dimensions, as a tuple.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.array().shape())
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.array().ndim()
    }
    #[getter]
    fn size(&self) -> usize {
        self.array().size()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.array().itemsize()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        self.array().nbytes()
    }
    #[getter]
    fn dtype(&self) -> PyDtype {
        PyDtype(self.array().dtype())
    }
    /// The transpose (axes reversed).
    #[getter(T)]
    fn t(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        let a = self.array();
        let axes: Vec<i64> = (0..a.ndim() as i64).rev().collect();
        wrap(py, ops::transpose(&a, &axes).py()?)
    }
    /// The element of a one-element array, as a Python scalar.
    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = self.array();
        if a.size() != 1 {
            return Err(PyValueError::new_err(format!(
                "item() needs an array of one element, this one has {}",
                a.size()
            )));
        }
        convert::item(py, &a)
    }
    /// The elements as nested lists of Python scalars.
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        convert::tolist(py, &self.array())
    }
    #[pyo3(signature = (dtype, stream = None))]
    fn astype(
        &self,
        py: Python<'_>,
        dtype: &Bound<'_, PyAny>,
        stream: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyArray>> {
        let dt = dtype_arg(Some(dtype))?.ok_or_else(|| PyTypeError::new_err("astype needs a dtype"))?;
        let a = self.array();
        wrap(py, on(stream, || ops::astype(&a, dt).py())?)
    }

    fn __pow__(&self, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        bin(self, other, ops::power, false)
    }
    fn __rpow__(&self, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        bin(self, other, ops::power, true)
    }
    fn __ipow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let _ = modulo;
        let this = slf.get();
        let r = ops::power(Operand::Array(this.array()), other_operand(this, other)?).py()?;
        this.set(r);
        Ok(())
    }
    fn __matmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        bin(self, other, matmul_op, false)
    }
    fn __rmatmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        bin(self, other, matmul_op, true)
    }
    fn __imatmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        let this = slf.get();
        let r = matmul_op(Operand::Array(this.array()), other_operand(this, other)?).py()?;
        this.set(r);
        Ok(())
    }
    /// Elementwise `==` with an array or a scalar; anything else (a list, a string, None) is simply unequal.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        compare(self, other, ops::equal, false)
    }
    fn __ne__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        compare(self, other, ops::not_equal, true)
    }
    fn __lt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        bin(self, other, ops::less, false)
    }
    fn __le__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        bin(self, other, ops::less_equal, false)
    }
    fn __gt__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        bin(self, other, ops::greater, false)
    }
    fn __ge__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        bin(self, other, ops::greater_equal, false)
    }
    fn __neg__(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        wrap(py, ops::negative(&self.array()).py()?)
    }
    fn __pos__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        let a = self.array();
        let r = if a.dtype() == Dtype::Bool { ops::logical_not(&a) } else { ops::bitwise_invert(&a) };
        wrap(py, r.py()?)
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        wrap(py, ops::abs(&self.array()).py()?)
    }
    fn __len__(&self) -> PyResult<usize> {
        let a = self.array();
        if a.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d array"));
        }
        Ok(a.shape()[0])
    }
    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        let a = self.array();
        if a.size() != 1 {
            return Err(PyValueError::new_err(format!(
                "the truth value of an array of {} elements is ambiguous: use .any() or .all()",
                a.size()
            )));
        }
        py.detach_eval(&a)?;
        Ok(a.item::<f64>().py()? != 0.0 || (a.dtype().is_complex() && ops::imag(&a).py()?.item::<f64>().py()? != 0.0))
    }
    fn __int__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v = self.item(py)?;
        v.bind(py).call_method0("__int__").map(|b| b.unbind())
    }
    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        self.item(py)?.bind(py).extract::<f64>()
    }
    fn __index__(&self, py: Python<'_>) -> PyResult<i64> {
        let a = self.array();
        if !a.dtype().is_integer() || a.size() != 1 {
            return Err(PyTypeError::new_err("only integer arrays of one element can be used as an index"));
        }
        py.detach_eval(&a)?;
        a.item::<i64>().py()
    }
    fn __iter__(&self) -> PyResult<crate::inspect::ArrayIterator> {
        crate::inspect::ArrayIterator::new(self.array())
    }
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        wrap(py, crate::index::getitem(&self.array(), key)?)
    }
    /// `a[key] = value`: the array becomes a copy with those elements replaced
    /// (`value` broadcast to the indexed shape).
    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let a = self.array();
        let idx = positions(&a, key)?;
        let r = ops::scatter(&a, &idx, operand(value)?, ScatterMode::Set).py()?;
        self.set(r);
        Ok(())
    }
    /// `a.at[key].add(v)` and the like: updates that accumulate over repeated
    /// indices, returning a new array.
    #[getter]
    fn at(&self) -> AtIndexer {
        AtIndexer { array: self.array() }
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let a = self.array();
        py.detach_eval(&a)?;
        Ok(format!("{a}"))
    }
    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        self.__repr__(py)
    }
    fn __hash__(&self) -> isize {
        self.array().id() as isize
    }
    /// A NumPy array of the values: `np.asarray(a)` is a read-only view of
    /// the array's memory (no copy), `np.array(a)` a writable copy. bfloat16
    /// has no NumPy dtype: as in MLX, it is an error (convert with `astype`).
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__(&self, py: Python<'_>, dtype: Option<&Bound<'_, PyAny>>, copy: Option<bool>) -> PyResult<Py<PyAny>> {
        let a = self.array();
        let Some(ts) = convert::typestr(a.dtype()) else {
            return Err(PyValueError::new_err(
                "bfloat16 has no NumPy dtype: convert first, e.g. np.array(a.astype(mx.float32))",
            ));
        };
        let view = crate::dlpack::numpy_view(py, &a, ts)?;
        let converted = match dtype {
            Some(d) if !d.is_none() => {
                let same = view.getattr("dtype")?.eq(py.import("numpy")?.call_method1("dtype", (d,))?)?;
                if same {
                    None
                } else if copy == Some(false) {
                    return Err(PyValueError::new_err(
                        "__array__: converting the dtype needs a copy, and copy=False forbids one",
                    ));
                } else {
                    Some(view.call_method1("astype", (d,))?)
                }
            }
            _ => None,
        };
        let out = match (converted, copy) {
            (Some(c), _) => c,
            (None, Some(true)) => view.call_method0("copy")?,
            (None, _) => view,
        };
        Ok(out.unbind())
    }

    // ---------------------------------------------------------------- method forms
    #[pyo3(signature = (*shape, stream = None))]
    fn reshape(
        &self,
        py: Python<'_>,
        shape: &Bound<'_, PyTuple>,
        stream: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyArray>> {
        let s = shape_args(shape)?;
        let a = self.array();
        wrap(py, on(stream, || ops::reshape(&a, &s).py())?)
    }
    #[pyo3(signature = (*axes, stream = None))]
    fn transpose(
        &self,
        py: Python<'_>,
        axes: &Bound<'_, PyTuple>,
        stream: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyArray>> {
        let a = self.array();
        let ax: Vec<i64> = if axes.is_empty() { (0..a.ndim() as i64).rev().collect() } else { shape_args(axes)? };
        wrap(py, on(stream, || ops::transpose(&a, &ax).py())?)
    }
}

/// The flat positions `key` selects in `a` (an int64 array of the indexed shape).
fn positions(a: &Array, key: &Bound<'_, PyAny>) -> PyResult<Array> {
    let shape: Vec<i64> = a.shape().iter().map(|&d| d as i64).collect();
    let all = ops::arange(0.0, a.size() as f64, 1.0, Dtype::Int64).py()?;
    let all = ops::reshape(&all, &shape).py()?;
    crate::index::getitem(&all, key)
}

/// What `array.at` returns: index it to get the updates.
#[pyclass(name = "ArrayAt", module = "rmlx.core", frozen)]
pub struct AtIndexer {
    array: Array,
}

#[pymethods]
impl AtIndexer {
    fn __getitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<AtSlot> {
        // One integer array over the first axis (an embedding table's rows):
        // the rows themselves are scattered, not every element's position.
        // Like indexing: an array's indices are clamped; a list's or NumPy
        // array's are checked.
        if self.array.ndim() >= 1 {
            if let Ok(k) = key.downcast::<PyArray>() {
                let idx = k.get().array();
                if idx.dtype().is_integer() && idx.ndim() >= 1 {
                    return Ok(AtSlot { array: self.array.clone(), idx, rows: true });
                }
            } else if key.is_instance_of::<pyo3::types::PyList>() || key.hasattr("__array_interface__")? {
                let idx = to_array(key, None)?;
                if idx.dtype().is_integer() && idx.ndim() >= 1 {
                    check_rows(&idx, self.array.shape()[0])?;
                    return Ok(AtSlot { array: self.array.clone(), idx, rows: true });
                }
            }
        }
        Ok(AtSlot { array: self.array.clone(), idx: positions(&self.array, key)?, rows: false })
    }
}

/// An evaluated row index outside `[-n, n)` is an IndexError, as in indexing.
fn check_rows(idx: &Array, n: usize) -> PyResult<()> {
    if idx.size() == 0 {
        return Ok(());
    }
    let lo = ops::min(idx, rmlx_core::Axes::All, false).py()?.item::<i64>().py()?;
    let hi = ops::max(idx, rmlx_core::Axes::All, false).py()?.item::<i64>().py()?;
    let n = n as i64;
    if lo < -n || hi >= n {
        let bad = if lo < -n { lo } else { hi };
        return Err(crate::errors::index_error(format!("index {bad} is out of bounds for axis 0 with size {n}")));
    }
    Ok(())
}

/// `array.at[key]`: its methods return a new array with the update applied
/// once per index, so repeated indices accumulate.
#[pyclass(name = "ArrayAtSlot", module = "rmlx.core", frozen)]
pub struct AtSlot {
    array: Array,
    idx: Array,
    /// `idx` names rows along axis 0 (else flat positions).
    rows: bool,
}

impl AtSlot {
    fn apply(&self, py: Python<'_>, values: Operand, mode: ScatterMode) -> PyResult<Py<PyArray>> {
        if self.rows {
            return wrap(py, ops::scatter_axis(&self.array, &self.idx, values, mode, 0).py()?);
        }
        wrap(py, ops::scatter(&self.array, &self.idx, values, mode).py()?)
    }
    fn values(&self, v: &Bound<'_, PyAny>) -> PyResult<Array> {
        let u = to_array(v, None)?;
        ops::astype(&u, self.array.dtype()).py()
    }
}

#[pymethods]
impl AtSlot {
    fn add(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        self.apply(py, operand(value)?, ScatterMode::Add)
    }
    fn subtract(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        let u = ops::negative(&self.values(value)?).py()?;
        self.apply(py, Operand::Array(u), ScatterMode::Add)
    }
    fn multiply(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        self.apply(py, operand(value)?, ScatterMode::Prod)
    }
    fn divide(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        if !self.array.dtype().is_inexact() {
            return Err(PyValueError::new_err(format!(
                "at[].divide needs an array of a floating-point or complex dtype, got {}",
                self.array.dtype()
            )));
        }
        let u = ops::reciprocal(&self.values(value)?).py()?;
        self.apply(py, Operand::Array(u), ScatterMode::Prod)
    }
    fn maximum(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        self.apply(py, operand(value)?, ScatterMode::Max)
    }
    fn minimum(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        self.apply(py, operand(value)?, ScatterMode::Min)
    }
}

// ---------------------------------------------------------------- Python protocols

#[pymethods]
impl PyArray {
    /// Pickles as the bytes, shape and dtype (any dtype, bfloat16 included).
    fn __reduce__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = self.array();
        py.detach_eval(&a)?;
        let bytes = pyo3::types::PyBytes::new(py, &a.to_bytes().py()?);
        let f = py.import("rmlx.core")?.getattr("_rebuild")?;
        (f, (bytes, PyTuple::new(py, a.shape())?, a.dtype().name())).into_py_any(py)
    }
    /// Arrays are immutable values: a shallow copy shares the data.
    fn __copy__(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        wrap(py, self.array())
    }
    /// A copy with a buffer of its own.
    fn __deepcopy__(&self, py: Python<'_>, memo: &Bound<'_, PyAny>) -> PyResult<Py<PyArray>> {
        let _ = memo;
        wrap(py, ops::copy(&self.array()).py()?)
    }
    /// `format(a, spec)`: a 0-d array formats as its value; others only with an empty spec.
    fn __format__(&self, py: Python<'_>, spec: &str) -> PyResult<String> {
        let a = self.array();
        if spec.is_empty() {
            py.detach_eval(&a)?;
            return Ok(format!("{a}"));
        }
        if a.ndim() != 0 {
            return Err(PyTypeError::new_err("unsupported format string passed to mx.array.__format__"));
        }
        let v = crate::convert::item(py, &a)?;
        v.bind(py).call_method1("__format__", (spec,))?.extract()
    }
    fn __complex__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = self.array();
        if a.size() != 1 {
            return Err(PyTypeError::new_err("only arrays of one element can be converted to a Python scalar"));
        }
        let v = crate::convert::item(py, &a)?;
        py.import("builtins")?.getattr("complex")?.call1((v,)).map(|b| b.unbind())
    }
    /// The real part (the array itself when it is not complex).
    #[getter]
    fn real(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        wrap(py, ops::real(&self.array()).py()?)
    }
    /// The imaginary part (zeros when the array is not complex).
    #[getter]
    fn imag(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        wrap(py, ops::imag(&self.array()).py()?)
    }
    /// The array with its last two axes swapped.
    #[getter(mT)]
    fn m_t(&self, py: Python<'_>) -> PyResult<Py<PyArray>> {
        wrap(py, ops::swapaxes(&self.array(), -1, -2).py()?)
    }
}
