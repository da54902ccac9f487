//! The public ops, one file per family. Each checks its arguments, works out
//! the output shape and dtype, and adds a node to the graph; nothing runs
//! until `eval`.

mod binary;
mod combine;
mod contract;
mod conv;
mod creation;
mod indexing;
mod linalg;
mod reduce;
mod scan;
mod shape;
mod sort;
mod unary;

pub use binary::*;
pub use combine::*;
pub use contract::*;
pub use conv::*;
pub use creation::*;
pub use indexing::*;
pub use linalg::*;
pub use reduce::*;
pub(crate) use scan::scan_op;
pub use scan::*;
pub use shape::*;
pub use sort::*;
pub use unary::*;

use crate::array::Array;
use crate::device::current_stream;
use crate::dtype::{Dtype, Element};
use crate::error::Result;
use crate::primitive::Primitive;
use crate::shape::Shape;
use num_complex::Complex32;

/// A scalar written in code. Like a Python scalar in MLX it is *weak*: it
/// takes the dtype of the array it meets (`int8_array + 1` stays int8,
/// `float16_array * 2.5` stays float16; a float meeting integers gives float32).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Complex(Complex32),
}

impl Scalar {
    /// The dtype this scalar has on its own.
    pub fn default_dtype(self) -> Dtype {
        match self {
            Scalar::Bool(_) => Dtype::Bool,
            Scalar::Int(_) => Dtype::Int32,
            Scalar::Float(_) => Dtype::Float32,
            Scalar::Complex(_) => Dtype::Complex64,
        }
    }
    /// The dtype of this scalar combined with an array of `dtype`.
    pub fn weak_with(self, dtype: Dtype) -> Dtype {
        match self {
            Scalar::Bool(_) => dtype,
            Scalar::Int(_) if dtype == Dtype::Bool => Dtype::Int32,
            Scalar::Int(_) => dtype,
            Scalar::Float(_) if !dtype.is_inexact() => Dtype::Float32,
            Scalar::Float(_) => dtype,
            Scalar::Complex(_) => Dtype::Complex64,
        }
    }
    /// A 0-d array of this value in `dtype`.
    pub fn to_array(self, dtype: Dtype) -> Result<Array> {
        crate::dispatch_dtype!(dtype, T => {
            let v: T = match self {
                Scalar::Bool(b) => T::from_i64(b as i64),
                Scalar::Int(i) => T::from_i64(i),
                Scalar::Float(f) => T::from_f64(f),
                Scalar::Complex(c) => T::from_c64(c),
            };
            Array::scalar(v)
        })
    }
}

/// An array or a weak scalar: what binary ops take.
#[derive(Debug, Clone)]
pub enum Operand {
    Array(Array),
    Scalar(Scalar),
}

impl From<&Array> for Operand {
    fn from(a: &Array) -> Self {
        Operand::Array(a.clone())
    }
}
impl From<Array> for Operand {
    fn from(a: Array) -> Self {
        Operand::Array(a)
    }
}
impl From<Scalar> for Operand {
    fn from(s: Scalar) -> Self {
        Operand::Scalar(s)
    }
}
macro_rules! scalar_from {
    ($variant:ident, $conv:ty, $($t:ty),*) => {$(
        impl From<$t> for Scalar {
            fn from(v: $t) -> Self {
                Scalar::$variant(v as $conv)
            }
        }
        impl From<$t> for Operand {
            fn from(v: $t) -> Self {
                Operand::Scalar(Scalar::$variant(v as $conv))
            }
        }
    )*};
}
scalar_from!(Int, i64, i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);
scalar_from!(Float, f64, f32, f64);
impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}
impl From<bool> for Operand {
    fn from(v: bool) -> Self {
        Operand::Scalar(Scalar::Bool(v))
    }
}
impl From<Complex32> for Scalar {
    fn from(v: Complex32) -> Self {
        Scalar::Complex(v)
    }
}
impl From<Complex32> for Operand {
    fn from(v: Complex32) -> Self {
        Operand::Scalar(Scalar::Complex(v))
    }
}
impl From<half::f16> for Operand {
    fn from(v: half::f16) -> Self {
        Operand::Scalar(Scalar::Float(v.to_f64()))
    }
}
impl From<half::bf16> for Operand {
    fn from(v: half::bf16) -> Self {
        Operand::Scalar(Scalar::Float(v.to_f64()))
    }
}

impl Operand {
    fn dtype(&self) -> Option<Dtype> {
        match self {
            Operand::Array(a) => Some(a.dtype()),
            Operand::Scalar(_) => None,
        }
    }
}

/// The common dtype of operands under MLX's rules (weak scalars included).
pub fn operands_dtype(ops: &[&Operand]) -> Dtype {
    let arrays: Vec<Dtype> = ops.iter().filter_map(|o| o.dtype()).collect();
    let scalars: Vec<Scalar> = ops
        .iter()
        .filter_map(|o| match o {
            Operand::Scalar(s) => Some(*s),
            _ => None,
        })
        .collect();
    let mut dt = match crate::dtype::result_type(&arrays) {
        Ok(d) => d,
        Err(_) => {
            // Only scalars: the widest kind wins, at its default width.
            let mut d = Dtype::Bool;
            for s in &scalars {
                d = crate::dtype::promote_types(d, s.default_dtype());
            }
            return d;
        }
    };
    for s in scalars {
        dt = s.weak_with(dt);
    }
    dt
}

/// Turns operands into arrays of one dtype.
pub(crate) fn arrays_of(ops: &[&Operand], dtype: Dtype) -> Result<Vec<Array>> {
    ops.iter()
        .map(|o| match o {
            Operand::Array(a) => astype(a, dtype),
            Operand::Scalar(s) => s.to_array(dtype),
        })
        .collect()
}

/// Which axes an op works over: all of them, or a list (negative counts from the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Axes {
    All,
    Some(Vec<i64>),
}

impl Axes {
    /// The axes as indices into `[0, ndim)`, sorted, checked for range and repeats.
    pub(crate) fn resolve(&self, op: &'static str, ndim: usize) -> Result<Vec<usize>> {
        let mut v = match self {
            Axes::All => (0..ndim).collect(),
            Axes::Some(a) => crate::shape::normalize_axes(op, a, ndim)?,
        };
        v.sort_unstable();
        Ok(v)
    }
}

impl From<i64> for Axes {
    fn from(a: i64) -> Self {
        Axes::Some(vec![a])
    }
}
impl From<i32> for Axes {
    fn from(a: i32) -> Self {
        Axes::Some(vec![a as i64])
    }
}
impl From<&[i64]> for Axes {
    fn from(a: &[i64]) -> Self {
        Axes::Some(a.to_vec())
    }
}
impl From<Vec<i64>> for Axes {
    fn from(a: Vec<i64>) -> Self {
        Axes::Some(a)
    }
}
impl<const N: usize> From<[i64; N]> for Axes {
    fn from(a: [i64; N]) -> Self {
        Axes::Some(a.to_vec())
    }
}
impl<const N: usize> From<[i32; N]> for Axes {
    fn from(a: [i32; N]) -> Self {
        Axes::Some(a.iter().map(|&x| x as i64).collect())
    }
}
impl From<Option<i64>> for Axes {
    fn from(a: Option<i64>) -> Self {
        a.map_or(Axes::All, |x| Axes::Some(vec![x]))
    }
}

/// A new pending node on the current stream.
pub(crate) fn node(shape: Shape, dtype: Dtype, prim: Primitive, inputs: Vec<Array>) -> Result<Array> {
    check_bytes(&shape, dtype)?;
    Ok(Array::pending(shape, dtype, current_stream()?, prim, inputs))
}

/// Every array's byte count must fit in `isize`, so kernels can index without overflow.
/// Arrays have at most `MAX_NDIM` dimensions too: walks over an array's
/// dimensions (printing, `tolist`) recurse once per dimension.
pub(crate) fn check_bytes(shape: &[usize], dtype: Dtype) -> Result<usize> {
    if shape.len() > crate::shape::MAX_NDIM {
        return Err(crate::Error::Value(format!(
            "arrays have at most {} dimensions, got {}",
            crate::shape::MAX_NDIM,
            shape.len()
        )));
    }
    crate::shape::checked_size(shape)?.checked_mul(dtype.size()).filter(|&b| b <= isize::MAX as usize).ok_or_else(
        || {
            crate::Error::Overflow(format!(
                "an array of shape {} and dtype {dtype} has more bytes than fit in memory",
                crate::shape::fmt_shape(shape)
            ))
        },
    )
}

/// A 0-d array of a Rust value (a strong dtype, unlike `Scalar`).
pub fn scalar<T: Element>(v: T) -> Result<Array> {
    Array::scalar(v)
}
