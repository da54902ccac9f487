//! The op table's machinery. Each op of `rmlx.core` is declared once, in a
//! `py_ops!` table of its family (`ops/`), as a Rust function over typed
//! parameters; the macro emits the module function (with the `stream=`
//! argument and the conversion of the result), the array method where MLX
//! has one, the docstring, the registration, and the op's entry in the type
//! stub (`rmlx.core._op_table()`, which `scripts/gen_stub.py` writes into
//! `core.pyi`).
//!
//! ```ignore
//! py_ops! {
//!     /// The sum over `axis`.
//!     fn sum(a: Arr, /, axis: Option<AxesArg> = None, keepdims: bool = false, *) -> Array [method] {
//!         ops::sum(&a, axes(axis), keepdims)
//!     }
//! }
//! ```
//!
//! Parameters are `name: Type`, `name: Type = default` (a single token tree:
//! `None`, `false`, `"left"`, `(-1)`), `/` and `*` as in Python, and
//! `*name: Type` for var-args. `stream=None` is appended last (keyword-only
//! after a `*`). `[method]` also makes the op a method of `array` (the first
//! parameter is the array). `fn where_ as "where"` renames it for Python.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::{Array, Axes, Dtype, Operand};

use crate::array::{axes_arg, PyArray};
use crate::convert::{operand, to_array};
use crate::dtype::dtype_arg;

/// A parameter type of the table: how the stub names it.
pub trait Param {
    fn stub() -> String;
}

macro_rules! stub_names {
    ($($t:ty => $s:literal;)*) => {$(
        impl Param for $t {
            fn stub() -> String {
                $s.to_string()
            }
        }
    )*};
}

stub_names! {
    bool => "bool"; i32 => "int"; i64 => "int"; usize => "int"; f64 => "float"; String => "str"; &str => "str";
    &Bound<'_, PyAny> => "Any"; &Bound<'_, PyTuple> => "Any";
}

impl<T: Param> Param for Option<T> {
    fn stub() -> String {
        format!("Optional[{}]", T::stub())
    }
}

/// Declares a newtype parameter: its inner value, how it is read from Python, its stub name.
macro_rules! param {
    ($(#[doc = $doc:literal])* $name:ident($inner:ty) = $stub:literal, |$o:ident| $read:expr) => {
        $(#[doc = $doc])*
        pub struct $name(pub $inner);
        impl<'py> FromPyObject<'py> for $name {
            fn extract_bound($o: &Bound<'py, PyAny>) -> PyResult<Self> {
                Ok($name($read))
            }
        }
        impl Param for $name {
            fn stub() -> String {
                $stub.to_string()
            }
        }
        impl std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }
    };
}

param!(
    /// An array, or anything `array(...)` takes (scalars, lists, NumPy arrays).
    Arr(Array) = "ArrayLike", |o| to_array(o, None)?
);
param!(
    /// An array or a Python scalar, which stays weakly typed.
    Opnd(Operand) = "ArrayLike", |o| operand(o)?
);
param!(
    /// An axis argument that is not None: an int or a sequence of ints.
    AxesArg(Axes) = "Union[int, Sequence[int]]", |o| axes_arg(Some(o))?
);
param!(
    /// A dtype (`mx.float32`, ...).
    DtypeArg(Dtype) = "Dtype", |o| dtype_arg(Some(o))?.ok_or_else(|| PyTypeError::new_err("expected a dtype, got None"))?
);
param!(
    /// A shape: an int or a sequence of non-negative ints.
    ShapeArg(Vec<usize>) = "Union[int, Sequence[int]]", |o| shape_of(o)?
);
param!(
    /// Ints: an int or a sequence of them.
    IntsArg(Vec<i64>) = "Union[int, Sequence[int]]", |o| ints(o)?
);
param!(
    /// A sequence of arrays.
    ArrList(Vec<Array>) = "Sequence[ArrayLike]", |o| o.try_iter()?.map(|x| to_array(&x?, None)).collect::<PyResult<_>>()?
);

/// Per-dimension sizes of a convolution: an int or a sequence of ints, or
/// (for `padding`) a pair of those, the low and the high side.
pub struct Dims {
    pub lo: Vec<i64>,
    pub hi: Option<Vec<i64>>,
}

impl Dims {
    /// The same `v` for every dimension, as a default (the stub shows `v`).
    pub fn int(v: i64) -> Dims {
        Dims { lo: vec![v], hi: None }
    }
    /// One value per dimension of `d` (one given for all, or `d`), never negative.
    pub fn per_dim(&self, d: usize, what: &str) -> PyResult<Vec<usize>> {
        if self.hi.is_some() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "{what} takes one value per dimension, not a pair"
            )));
        }
        Dims::expand(&self.lo, d, what)
    }
    /// The low and the high padding of each dimension.
    pub fn pairs(&self, d: usize, what: &str) -> PyResult<Vec<(usize, usize)>> {
        let lo = Dims::expand(&self.lo, d, what)?;
        let hi = match &self.hi {
            Some(h) => Dims::expand(h, d, what)?,
            None => lo.clone(),
        };
        Ok(lo.into_iter().zip(hi).collect())
    }
    fn expand(v: &[i64], d: usize, what: &str) -> PyResult<Vec<usize>> {
        let v: Vec<usize> = v
            .iter()
            .map(|&x| {
                usize::try_from(x)
                    .map_err(|_| pyo3::exceptions::PyValueError::new_err(format!("{what} cannot be negative, got {x}")))
            })
            .collect::<PyResult<_>>()?;
        match v.len() {
            1 => Ok(vec![v[0]; d]),
            n if n == d => Ok(v),
            n => Err(pyo3::exceptions::PyValueError::new_err(format!("{what} needs 1 or {d} values, got {n}"))),
        }
    }
}

impl<'py> FromPyObject<'py> for Dims {
    fn extract_bound(o: &Bound<'py, PyAny>) -> PyResult<Self> {
        if o.is_instance_of::<PyTuple>() && o.len()? == 2 && o.get_item(0)?.extract::<i64>().is_err() {
            return Ok(Dims { lo: ints(&o.get_item(0)?)?, hi: Some(ints(&o.get_item(1)?)?) });
        }
        Ok(Dims { lo: ints(o)?, hi: None })
    }
}

impl Param for Dims {
    fn stub() -> String {
        "Union[int, Sequence[int]]".into()
    }
}

impl Opnd {
    /// The Python int `v` as a default (the stub shows `v`).
    pub fn int(v: i64) -> Opnd {
        Opnd(Operand::Scalar(rmlx_core::Scalar::Int(v)))
    }
    /// The Python float `v` as a default (the stub shows `v`).
    pub fn float(v: f64) -> Opnd {
        Opnd(Operand::Scalar(rmlx_core::Scalar::Float(v)))
    }
}

/// An array-like value that the op converts itself (binary operands keep
/// Python scalars weak, `put_along_axis` converts in the array's dtype).
pub struct Value<'py>(pub Bound<'py, PyAny>);

impl<'py> FromPyObject<'py> for Value<'py> {
    fn extract_bound(o: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Value(o.clone()))
    }
}

impl Param for Value<'_> {
    fn stub() -> String {
        "ArrayLike".into()
    }
}

impl<'py> std::ops::Deref for Value<'py> {
    type Target = Bound<'py, PyAny>;
    fn deref(&self) -> &Bound<'py, PyAny> {
        &self.0
    }
}

/// A Python value a table parameter takes as it is.
pub type Obj<'a, 'py> = &'a Bound<'py, PyAny>;

/// The arrays of var-args (each converted as `array(...)` would).
pub fn tuple_arrays(t: &Bound<'_, PyTuple>) -> PyResult<Vec<Array>> {
    t.iter().map(|o| to_array(&o, None)).collect()
}

/// An int or a sequence of ints, as a list.
pub fn ints(o: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if let Ok(i) = o.extract::<i64>() {
        return Ok(vec![i]);
    }
    o.extract::<Vec<i64>>().map_err(|_| PyTypeError::new_err("expected an int or a sequence of ints"))
}

/// A shape: an int or a sequence of ints, none negative.
pub fn shape_of(o: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    ints(o)?
        .into_iter()
        .map(|d| {
            usize::try_from(d).map_err(|_| {
                pyo3::exceptions::PyValueError::new_err(format!("a shape cannot hold the negative size {d}"))
            })
        })
        .collect()
}

/// `axis=None` (every axis) or the axes given.
pub fn axes(a: Option<AxesArg>) -> Axes {
    a.map_or(Axes::All, |a| a.0)
}

/// What an op gives back to Python.
pub trait Ret: Sized {
    fn finish(self, py: Python<'_>) -> PyResult<Py<PyAny>>;
    fn stub() -> &'static str;
}

impl Ret for Array {
    fn finish(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Py::new(py, PyArray::new(self))?.into_py_any(py)
    }
    fn stub() -> &'static str {
        "array"
    }
}

impl Ret for Vec<Array> {
    fn finish(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items: Vec<Py<PyArray>> =
            self.into_iter().map(|a| Py::new(py, PyArray::new(a))).collect::<PyResult<_>>()?;
        PyList::new(py, items)?.into_py_any(py)
    }
    fn stub() -> &'static str {
        "list[array]"
    }
}

impl Ret for (Array, Array) {
    fn finish(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        vec![self.0, self.1].finish(py)
    }
    fn stub() -> &'static str {
        "list[array]"
    }
}

/// Arrays returned as a Python tuple.
pub struct Tuple(pub Vec<Array>);

impl Ret for Tuple {
    fn finish(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items: Vec<Py<PyArray>> =
            self.0.into_iter().map(|a| Py::new(py, PyArray::new(a))).collect::<PyResult<_>>()?;
        PyTuple::new(py, items)?.into_py_any(py)
    }
    fn stub() -> &'static str {
        "tuple[array, ...]"
    }
}

/// One array for one result, a list for several (`atleast_1d(a)` against `atleast_1d(a, b)`).
pub struct OneOrList(pub Vec<Array>);

impl Ret for OneOrList {
    fn finish(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match <[Array; 1]>::try_from(self.0) {
            Ok([one]) => one.finish(py),
            Err(many) => many.finish(py),
        }
    }
    fn stub() -> &'static str {
        "Union[array, list[array]]"
    }
}

impl Ret for Py<PyAny> {
    fn finish(self, _py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self)
    }
    fn stub() -> &'static str {
        "Any"
    }
}

/// A body's result, from rmlx (its errors become Python's) or from Python.
pub trait Lift<T> {
    fn lift(self) -> PyResult<T>;
}

impl<T> Lift<T> for rmlx_core::Result<T> {
    fn lift(self) -> PyResult<T> {
        crate::errors::Py::py(self)
    }
}

impl<T> Lift<T> for PyResult<T> {
    fn lift(self) -> PyResult<T> {
        self
    }
}

/// One op of the table, as the stub shows it.
pub struct Entry {
    pub name: &'static str,
    pub group: &'static str,
    pub signature: String,
    pub method_signature: Option<String>,
    pub doc: String,
}

/// A default as Python writes it.
pub fn py_default(rust: &str) -> String {
    let t = rust.trim();
    let t = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')).unwrap_or(t).replace(' ', "");
    let t = t.strip_prefix("Some(").and_then(|s| s.strip_suffix(')')).map(str::to_string).unwrap_or(t);
    // `Opnd::int(0)`, `Dims::int(1)`, `Opnd::float(0.5)`: the number.
    let t = match t.split_once("::int(").or_else(|| t.split_once("::float(")) {
        Some((_, v)) => v.strip_suffix(')').unwrap_or(v).to_string(),
        None => t,
    };
    match t.as_str() {
        "false" => "False".into(),
        "true" => "True".into(),
        _ => t,
    }
}

/// The doc lines of an entry joined as one docstring.
pub fn join_doc(lines: &[&str]) -> String {
    lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n").trim().to_string()
}

/// Declares the ops of one family; see the module docs.
macro_rules! py_ops {
    (group $group:literal; $(
        $(#[doc = $doc:expr])+
        fn $name:ident $(as $pyname:literal)? ($($p:tt)*) -> $ret:ty $([$m:ident])? $body:block
    )*) => {
        $(
            py_ops!(@fn [$($doc)+] [$name] [$($pyname)?] [$ret] [$body] [] [] $($p)* ,);
            py_ops!(@maybe_method [$($m)?] [$($doc)+] [$name] [$($pyname)?] $($p)* ,);
        )*

        /// Adds this family's functions to the module.
        pub(crate) fn register(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
            use pyo3::types::PyModuleMethods;
            $( m.add_function(pyo3::wrap_pyfunction!($name, m)?)?; )*
            Ok(())
        }

        /// This family's entries of the stub.
        pub(crate) fn table() -> Vec<$crate::table::Entry> {
            vec![$(
                $crate::table::Entry {
                    name: py_ops!(@pyname $name $($pyname)?),
                    group: $group,
                    signature: py_ops!(@stub [$ret] [] $($p)* ,),
                    method_signature: py_ops!(@opt [$($m)?] py_ops!(@mstub [$ret] $($p)* ,)),
                    doc: $crate::table::join_doc(&[$($doc),+]),
                }
            ),*]
        }
    };

    (@maybe_method [] $($rest:tt)*) => {};
    (@maybe_method [method] $($rest:tt)*) => { py_ops!(@method $($rest)*); };
    (@pyname $name:ident) => { stringify!($name) };
    (@pyname $name:ident $py:literal) => { $py };
    (@opt [] $e:expr) => { None };
    (@opt [$m:ident] $e:expr) => { Some($e) };

    // ---- the module function: munch the parameters into the pyo3 signature
    // and the Rust parameters. pyo3 names var-args with the hygiene of its
    // caller, so the rule that calls it names them (`args`) and binds the
    // table's name to them: after `*name` the munching goes on in `@fnv`.
    (@fn $d:tt $n:tt $pn:tt $r:tt $b:tt [$($sig:tt)*] [$($par:tt)*] $a:ident : $t:ty = $def:tt , $($rest:tt)*) => {
        py_ops!(@fn $d $n $pn $r $b [$($sig)* $a = $def ,] [$($par)* $a: $t,] $($rest)*);
    };
    (@fn $d:tt $n:tt $pn:tt $r:tt $b:tt [$($sig:tt)*] [$($par:tt)*] $a:ident : $t:ty , $($rest:tt)*) => {
        py_ops!(@fn $d $n $pn $r $b [$($sig)* $a ,] [$($par)* $a: $t,] $($rest)*);
    };
    (@fn $d:tt $n:tt $pn:tt $r:tt $b:tt [$($sig:tt)*] [$($par:tt)*] * $a:ident : $t:ty , $($rest:tt)*) => {
        py_ops!(@fnv $d $n $pn $r $b [$($sig)*] [$($par)*] [$a : $t] [] [] $($rest)*);
    };
    (@fn $d:tt $n:tt $pn:tt $r:tt $b:tt [$($sig:tt)*] [$($par:tt)*] / , $($rest:tt)*) => {
        py_ops!(@fn $d $n $pn $r $b [$($sig)* / ,] [$($par)*] $($rest)*);
    };
    (@fn $d:tt $n:tt $pn:tt $r:tt $b:tt [$($sig:tt)*] [$($par:tt)*] * , $($rest:tt)*) => {
        py_ops!(@fn $d $n $pn $r $b [$($sig)* * ,] [$($par)*] $($rest)*);
    };
    (@fn $d:tt $n:tt $pn:tt $r:tt $b:tt [$($sig:tt)*] [$($par:tt)*] , $($rest:tt)*) => {
        py_ops!(@fn $d $n $pn $r $b [$($sig)*] [$($par)*] $($rest)*);
    };
    (@fn [$($doc:expr)+] [$name:ident] [$($pyname:literal)?] [$ret:ty] [$body:block] [$($sig:tt)*] [$($par:tt)*]) => {
        $(#[doc = $doc])+
        #[pyo3::pyfunction]
        $(#[pyo3(name = $pyname)])?
        #[pyo3(signature = ($($sig)* stream = None))]
        #[allow(clippy::too_many_arguments, non_snake_case)]
        pub fn $name(
            py: pyo3::Python<'_>,
            $($par)*
            stream: Option<&pyo3::Bound<'_, pyo3::PyAny>>,
        ) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
            let out: $ret = $crate::device::on(stream, || $crate::table::Lift::lift($body))?;
            $crate::table::Ret::finish(out, py)
        }
    };
    (@fnv $d:tt $n:tt $pn:tt $r:tt $b:tt $pre:tt $ppar:tt $va:tt [$($sig:tt)*] [$($par:tt)*] $a:ident : $t:ty = $def:tt , $($rest:tt)*) => {
        py_ops!(@fnv $d $n $pn $r $b $pre $ppar $va [$($sig)* $a = $def ,] [$($par)* $a: $t,] $($rest)*);
    };
    (@fnv $d:tt $n:tt $pn:tt $r:tt $b:tt $pre:tt $ppar:tt $va:tt [$($sig:tt)*] [$($par:tt)*] , $($rest:tt)*) => {
        py_ops!(@fnv $d $n $pn $r $b $pre $ppar $va [$($sig)*] [$($par)*] $($rest)*);
    };
    (@fnv [$($doc:expr)+] [$name:ident] [$($pyname:literal)?] [$ret:ty] [$body:block] [$($pre:tt)*] [$($ppar:tt)*] [$va:ident : $vt:ty] [$($sig:tt)*] [$($par:tt)*]) => {
        $(#[doc = $doc])+
        #[pyo3::pyfunction]
        $(#[pyo3(name = $pyname)])?
        #[pyo3(signature = ($($pre)* * args, $($sig)* stream = None))]
        #[allow(clippy::too_many_arguments, non_snake_case)]
        pub fn $name(
            py: pyo3::Python<'_>,
            $($ppar)*
            args: $vt,
            $($par)*
            stream: Option<&pyo3::Bound<'_, pyo3::PyAny>>,
        ) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
            let $va = args;
            let out: $ret = $crate::device::on(stream, || $crate::table::Lift::lift($body))?;
            $crate::table::Ret::finish(out, py)
        }
    };

    // ---- the array method: the first parameter is the array; the rest as the function's.
    (@method $d:tt $n:tt $pn:tt $first:ident : $ft:ty , / , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn [$ft] [] [] [] $($rest)*);
    };
    (@method $d:tt $n:tt $pn:tt $first:ident : $ft:ty , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn [$ft] [] [] [] $($rest)*);
    };
    (@m $d:tt $n:tt $pn:tt $ft:tt [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*] $a:ident : $t:ty = $def:tt , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn $ft [$($sig)* $a = $def ,] [$($par)* $a: $t,] [$($arg)* $a] $($rest)*);
    };
    (@m $d:tt $n:tt $pn:tt $ft:tt [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*] $a:ident : $t:ty , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn $ft [$($sig)* $a ,] [$($par)* $a: $t,] [$($arg)* $a] $($rest)*);
    };
    (@m $d:tt $n:tt $pn:tt $ft:tt [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*] * $a:ident : $t:ty , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn $ft [$($sig)* * $a ,] [$($par)* $a: $t,] [$($arg)* $a] $($rest)*);
    };
    (@m $d:tt $n:tt $pn:tt $ft:tt [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*] / , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn $ft [$($sig)* / ,] [$($par)*] [$($arg)*] $($rest)*);
    };
    (@m $d:tt $n:tt $pn:tt $ft:tt [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*] * , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn $ft [$($sig)* * ,] [$($par)*] [$($arg)*] $($rest)*);
    };
    (@m $d:tt $n:tt $pn:tt $ft:tt [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*] , $($rest:tt)*) => {
        py_ops!(@m $d $n $pn $ft [$($sig)*] [$($par)*] [$($arg)*] $($rest)*);
    };
    (@m [$($doc:expr)+] [$name:ident] [$($pyname:literal)?] [$ft:ty] [$($sig:tt)*] [$($par:tt)*] [$($arg:ident)*]) => {
        #[pyo3::pymethods]
        impl $crate::array::PyArray {
            $(#[doc = $doc])+
            $(#[pyo3(name = $pyname)])?
            #[pyo3(signature = ($($sig)* stream = None))]
            #[allow(clippy::too_many_arguments, non_snake_case)]
            fn $name(
                slf: &pyo3::Bound<'_, Self>,
                py: pyo3::Python<'_>,
                $($par)*
                stream: Option<&pyo3::Bound<'_, pyo3::PyAny>>,
            ) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
                let this: $ft = pyo3::types::PyAnyMethods::extract(slf.as_any())?;
                $name(py, this, $($arg,)* stream)
            }
        }
    };

    // ---- the stub: `(a: ArrayLike, /, axis: ... = None, *, stream: StreamLike = None) -> array`.
    (@stub [$ret:ty] [$($s:expr,)*] $a:ident : $t:ty = $def:tt , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [$($s,)* format!("{}: {} = {}", stringify!($a), <$t as $crate::table::Param>::stub(), $crate::table::py_default(stringify!($def))),] $($rest)*)
    };
    (@stub [$ret:ty] [$($s:expr,)*] $a:ident : $t:ty , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [$($s,)* format!("{}: {}", stringify!($a), <$t as $crate::table::Param>::stub()),] $($rest)*)
    };
    (@stub [$ret:ty] [$($s:expr,)*] * $a:ident : $t:ty , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [$($s,)* format!("*{}: {}", stringify!($a), <$t as $crate::table::Param>::stub()),] $($rest)*)
    };
    (@stub [$ret:ty] [$($s:expr,)*] / , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [$($s,)* String::from("/"),] $($rest)*)
    };
    (@stub [$ret:ty] [$($s:expr,)*] * , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [$($s,)* String::from("*"),] $($rest)*)
    };
    (@stub [$ret:ty] [$($s:expr,)*] , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [$($s,)*] $($rest)*)
    };
    (@stub [$ret:ty] [$($s:expr,)*]) => {{
        let mut parts: Vec<String> = vec![$($s),*];
        parts.push(String::from("stream: StreamLike = None"));
        format!("({}) -> {}", parts.join(", "), <$ret as $crate::table::Ret>::stub())
    }};
    // The method's stub: the function's without the array parameter (and a `/` after it).
    (@mstub [$ret:ty] $first:ident : $ft:ty , / , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [String::from("self"),] $($rest)*)
    };
    (@mstub [$ret:ty] $first:ident : $ft:ty , $($rest:tt)*) => {
        py_ops!(@stub [$ret] [String::from("self"),] $($rest)*)
    };
}

pub(crate) use py_ops;

/// `register` and `table` of a module made of other tables (one module per
/// `py_ops!`): each part's, in order.
macro_rules! tables {
    ($($part:path),* $(,)?) => {
        /// Adds the functions of every part to the module.
        pub(crate) fn register(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
            $( { use $part as part; part::register(m)?; } )*
            Ok(())
        }

        /// Every part's entries of the stub.
        pub(crate) fn table() -> Vec<$crate::table::Entry> {
            let mut t = Vec::new();
            $( { use $part as part; t.extend(part::table()); } )*
            t
        }
    };
}

pub(crate) use tables;

/// `rmlx.core._op_table()`: every op of the table as (name, group,
/// signature, method signature or None, docstring), for the stub writer.
#[pyfunction]
pub fn _op_table(py: Python<'_>) -> PyResult<Py<PyAny>> {
    let rows: Vec<(String, String, String, Option<String>, String)> = crate::ops::table()
        .into_iter()
        .map(|e| (e.name.to_string(), e.group.to_string(), e.signature, e.method_signature, e.doc))
        .collect();
    rows.into_py_any(py)
}
