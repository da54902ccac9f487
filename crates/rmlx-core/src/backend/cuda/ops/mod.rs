//! The host side of each primitive on a GPU: picks a kernel and its layout
//! (contiguous and vectorised, or strided over merged dimensions), fills in
//! its arguments and enqueues it on the node's stream.

use super::blaslt;
use super::driver::{DeviceCopy, Gpu, RawStream};
use super::jit::{function, launch, Args, Family, Launch};
use crate::array::{Array, Data};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::primitive::{ArgReduceOp, BinaryOp, PadMode, Primitive, ReduceOp, ScanOp, ScatterMode, UnaryOp};
use crate::shape::{collapse_dims, is_row_contiguous, row_major_strides, size_of};
use std::sync::Arc;

mod dispatch;
mod elementwise;
mod indexing;
mod matmul;
mod random;
mod reduce;
mod sort_scan;

pub use dispatch::compile_all;
pub(crate) use dispatch::eval;
use elementwise::*;
pub(crate) use elementwise::{binary_expr, contiguous, unary_expr};
use indexing::*;
use matmul::*;
use random::*;
use reduce::*;
use sort_scan::*;

/// Most merged dimensions a strided kernel takes.
const MAXD: usize = 8;

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Dims {
    n: [i64; MAXD],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Imm {
    w: [u64; 2],
}

/// Where a node runs.
pub(crate) struct Ctx {
    pub(crate) g: &'static Gpu,
    pub(crate) s: RawStream,
}

pub(super) fn ctype(d: Dtype) -> &'static str {
    match d {
        Dtype::Bool => "bool",
        Dtype::Uint8 => "u8",
        Dtype::Uint16 => "u16",
        Dtype::Uint32 => "u32",
        Dtype::Uint64 => "u64",
        Dtype::Int8 => "i8",
        Dtype::Int16 => "i16",
        Dtype::Int32 => "i32",
        Dtype::Int64 => "i64",
        Dtype::Float16 => "f16",
        Dtype::Bfloat16 => "bf16",
        Dtype::Float32 => "float",
        Dtype::Float64 => "double",
        Dtype::Complex64 => "c64",
    }
}

fn dims(v: &[i64]) -> Result<Dims> {
    if v.len() > MAXD {
        return Err(Error::Runtime(format!(
            "GPU kernels take at most {MAXD} dimensions after merging, this layout has {}",
            v.len()
        )));
    }
    let mut d = Dims::default();
    d.n[..v.len()].copy_from_slice(v);
    Ok(d)
}

fn to_i64(v: &[usize]) -> Vec<i64> {
    v.iter().map(|&x| x as i64).collect()
}
fn stride_i64(v: &[isize]) -> Vec<i64> {
    v.iter().map(|&x| x as i64).collect()
}

impl Ctx {
    /// Device address of a ready array's first element, uploading it if needed.
    fn ptr(&self, a: &Array) -> Result<(u64, Data)> {
        let d = a.data()?;
        let base = d.buf.device_ptr(self.g.index, self.s)?;
        Ok((base + (d.offset * a.dtype().size()) as u64, d))
    }

    /// A fresh device buffer of `bytes`.
    pub(super) fn alloc(&self, bytes: usize) -> Result<(Arc<Buffer>, u64)> {
        let copy = DeviceCopy::alloc(self.g, bytes, self.s)?;
        let p = crate::backend::DeviceBlock::ptr(&copy);
        Ok((Arc::new(Buffer::from_device(bytes, copy)), p))
    }

    fn func(&self, family: Family, defines: &str, name: &'static str) -> Result<super::jit::Func> {
        function(self.g, family, defines, name)
    }
}

fn empty(shape: &[usize], dtype: Dtype) -> Result<Data> {
    let _ = dtype;
    Ok(Data::contiguous(Buffer::alloc(0)?, shape))
}

/// Defines of an elementwise program that only moves elements of `dtype`
/// (`ew_pad`, `ew_arange`, `ew_take`, `ew_scatter`).
fn copy_defines(dtype: Dtype) -> String {
    format!(
        "typedef {t} TO; typedef {t} TI0; typedef {t} TI1; typedef {t} TI2;\n#define OP(x0, x1, x2) (x0)",
        t = ctype(dtype)
    )
}
