//! The CPU backend: runs one node's primitive on host memory.

#[macro_use]
mod iter;
mod conv;
mod elementwise;
pub(crate) mod layout;
mod math;
mod matmul;
mod random;
mod reduce;
pub(crate) mod scalar;
mod scan;
mod sort;

pub(crate) use elementwise::read_to_vec;

use crate::array::{Array, Data};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{BinaryOp, Primitive};

/// Computes the outputs of `prim` over ready `inputs`.
pub(crate) fn eval(prim: &Primitive, inputs: &[Array], shape: &[usize], dtype: Dtype) -> Result<Vec<Data>> {
    let x = |i: usize| inputs.get(i).ok_or_else(|| Error::Runtime(format!("internal: {prim:?} is missing input {i}")));
    let one = |d: Result<Data>| d.map(|d| vec![d]);
    match prim {
        Primitive::Arange { start, step } => one(elementwise::arange(*start, *step, shape[0], dtype)),
        Primitive::Unary(op) => one(math::unary(*op, x(0)?, shape)),
        Primitive::Binary(op) => one(math::binary(*op, x(0)?, x(1)?, shape)),
        Primitive::DivMod => {
            // Extra handles keep the first kernel from writing its output into an
            // input buffer (donation) that the second kernel still has to read.
            let (a, b) = (x(0)?.clone(), x(1)?.clone());
            let q = math::binary(BinaryOp::FloorDivide, &a, &b, shape)?;
            Ok(vec![q, math::binary(BinaryOp::Remainder, &a, &b, shape)?])
        }
        Primitive::Select => {
            let (c, a, b) = (x(0)?, x(1)?, x(2)?);
            one(crate::dispatch_dtype!(dtype, T =>
                elementwise::ternary_map::<bool, T, T, T>(c, a, b, shape, |c, a, b| if c { a } else { b })))
        }
        Primitive::AsType(to) => one(elementwise::astype(x(0)?, *to, shape)),
        Primitive::Reduce { op, axes } => one(reduce::reduce(*op, x(0)?, axes, shape, dtype)),
        Primitive::ArgReduce { op, axis } => one(reduce::arg_reduce(*op, x(0)?, *axis, shape)),
        Primitive::Softmax { log, precise } => one(reduce::softmax(x(0)?, *log, *precise, shape)),
        Primitive::LogSumExp => one(reduce::logsumexp(x(0)?, shape)),
        Primitive::Median => one(reduce::median(x(0)?, shape)),
        Primitive::Matmul => one(matmul::matmul(x(0)?, x(1)?, shape, dtype)),
        Primitive::Reshape => one(super::views::reshape(x(0)?, shape, layout::contiguous)),
        Primitive::Transpose { perm } => one(super::views::transpose(x(0)?, perm)),
        Primitive::BroadcastTo => one(super::views::broadcast_to(x(0)?, shape)),
        Primitive::Slice { starts, steps } => one(super::views::slice(x(0)?, starts, steps, shape)),
        Primitive::AsStrided { strides, offset } => {
            one(super::views::as_strided(x(0)?, strides, *offset, layout::contiguous))
        }
        Primitive::Contiguous => {
            let a = x(0)?;
            let d = a.data()?;
            if crate::shape::is_row_contiguous(shape, &d.strides) {
                Ok(vec![d])
            } else {
                one(layout::contiguous(a))
            }
        }
        Primitive::Copy => one(layout::copy(x(0)?)),
        Primitive::View(to) => one(layout::view(x(0)?, *to, shape)),
        Primitive::Concatenate { axis } => one(layout::concatenate(inputs, *axis, shape, dtype)),
        Primitive::Pad { low, mode, .. } => one(layout::pad(inputs, low, *mode, shape)),
        Primitive::Take { axis } => one(layout::take(x(0)?, x(1)?, *axis, shape)),
        Primitive::Scatter { mode } => one(layout::scatter(x(0)?, x(1)?, x(2)?, *mode)),
        Primitive::Conv(args) => one(conv::conv(x(0)?, x(1)?, args, shape, dtype)),
        Primitive::ScatterAxis { mode, axis } => one(layout::scatter_axis(x(0)?, x(1)?, x(2)?, *mode, *axis)),
        Primitive::Sort { arg } => one(sort::sort(x(0)?, *arg, shape)),
        Primitive::SearchSorted { right } => one(sort::searchsorted(x(0)?, x(1)?, *right)),
        Primitive::Scan { op, axis, reverse, inclusive } => one(scan::scan(x(0)?, *op, *axis, *reverse, *inclusive)),
        Primitive::RandomBits { width } => one(random::bits(x(0)?, *width, shape)),
        Primitive::RandomNormal => one(random::normal(x(0)?, shape)),
        Primitive::StopGradient | Primitive::Custom(_) => Err(super::not_a_kernel(prim)),
    }
}
