//! Backends: each runs one node on its stream's device. Only the CPU exists
//! yet; a GPU stream reports that no GPU backend is available.

pub(crate) mod cpu;

use crate::array::{Array, Data};
use crate::device::{Device, Stream};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::Primitive;

/// Runs `prim` for a node of `shape`/`dtype` on `stream`.
pub(crate) fn eval_node(
    prim: &Primitive,
    inputs: &[Array],
    shape: &[usize],
    dtype: Dtype,
    stream: Stream,
) -> Result<Vec<Data>> {
    match stream.device {
        Device::Cpu => cpu::eval(prim, inputs, shape, dtype),
        Device::Gpu(i) => Err(Error::Device(format!("gpu({i}): no GPU backend is available in this build"))),
    }
}
