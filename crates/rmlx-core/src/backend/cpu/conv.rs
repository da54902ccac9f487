//! Convolutions (channels last) as im2col into the GEMM: the input is
//! unfolded a chunk of output rows at a time into a (G, rows, K, Cg) matrix
//! and each group's block is multiplied with that group's weights by the
//! `gemm` crate, straight into its columns of the output. A 1 x ... x 1
//! kernel with unit strides and no padding multiplies the input itself.

use super::iter::{par_rows, SendConst, SendPtr};
use crate::array::{Array, Data};
use crate::dtype::{Dtype, Element};
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::primitive::ConvArgs;
use crate::shape::size_of;
use half::f16;
use num_complex::Complex32;

/// Most bytes of one chunk of the unfolded input.
const UNFOLD_BYTES: usize = 64 << 20;

/// The shape of one convolution, in elements.
struct Geometry<'a> {
    in_sp: &'a [usize],
    out_sp: &'a [usize],
    ks: &'a [usize],
    args: &'a ConvArgs,
}

impl Geometry<'_> {
    /// The input pixel (an index into the spatial positions of image `n`, in
    /// pixels of `c_in` elements) that kernel tap `k` of output row `r` reads,
    /// or None where it reads padding or a hole of the input dilation.
    fn source(&self, r: usize, k: usize, opos: &mut [usize], kpos: &mut [usize]) -> Option<usize> {
        let d = self.in_sp.len();
        let (mut r, mut k) = (r, k);
        for i in (0..d).rev() {
            opos[i] = r % self.out_sp[i];
            r /= self.out_sp[i];
            kpos[i] = k % self.ks[i];
            k /= self.ks[i];
        }
        let mut src = r;
        for i in 0..d {
            let ki = if self.args.flip { self.ks[i] - 1 - kpos[i] } else { kpos[i] };
            let q = (opos[i] * self.args.stride[i] + ki * self.args.kernel_dilation[i]) as isize
                - self.args.padding[i].0 as isize;
            let dl = self.args.input_dilation[i] as isize;
            if q < 0 || q % dl != 0 || (q / dl) as usize >= self.in_sp[i] {
                return None;
            }
            src = src * self.in_sp[i] + (q / dl) as usize;
        }
        Some(src)
    }
}

/// Runs a `Conv` node of float16, float32, float64, bfloat16 (in float32)
/// or complex64 operands into a new row-major `shape` output.
pub(crate) fn conv(x: &Array, w: &Array, args: &ConvArgs, shape: &[usize], dtype: Dtype) -> Result<Data> {
    if dtype == Dtype::Bfloat16 {
        let (xf, wf) = (super::matmul::bf16_to_f32(x)?, super::matmul::bf16_to_f32(w)?);
        return super::matmul::f32_to_bf16(&conv(&xf, &wf, args, shape, Dtype::Float32)?, shape);
    }
    match dtype {
        Dtype::Float32 => conv_t::<f32>(x, w, args, shape, 0.0, 1.0),
        Dtype::Float64 => conv_t::<f64>(x, w, args, shape, 0.0, 1.0),
        Dtype::Float16 => conv_t::<f16>(x, w, args, shape, f16::ZERO, f16::ONE),
        Dtype::Complex64 => conv_t::<Complex32>(x, w, args, shape, Complex32::new(0.0, 0.0), Complex32::new(1.0, 0.0)),
        d => Err(Error::dtype_unsupported("conv_general", d)),
    }
}

fn conv_t<T: Element + Copy + Send + Sync + 'static>(
    x: &Array,
    w: &Array,
    args: &ConvArgs,
    shape: &[usize],
    zero: T,
    one: T,
) -> Result<Data> {
    let nd = shape.len();
    let d = nd - 2;
    let out_buf = Buffer::alloc(size_of(shape) * std::mem::size_of::<T>())?;
    if size_of(shape) == 0 {
        return Ok(Data::contiguous(out_buf, shape));
    }
    let (xd, wd) = (super::layout::contiguous(x)?, super::layout::contiguous(w)?);
    // SAFETY: the offsets are inside the buffers.
    let px = SendConst(unsafe { (xd.buf.as_ptr() as *const T).add(xd.offset) });
    let pw = SendConst(unsafe { (wd.buf.as_ptr() as *const T).add(wd.offset) });
    let po = SendPtr(out_buf.as_mut_ptr() as *mut T);
    let (c_in, c_out, groups) = (x.shape()[nd - 1], shape[nd - 1], args.groups);
    let geo = Geometry { in_sp: &x.shape()[1..=d], out_sp: &shape[1..=d], ks: &w.shape()[1..=d], args };
    let (cg, og) = (c_in / groups, c_out / groups);
    let rows = size_of(&shape[..=d]);
    let kk = size_of(geo.ks);
    let kc = kk * cg;
    let pointwise = args.is_pointwise(geo.ks);
    let chunk =
        if pointwise { rows } else { (UNFOLD_BYTES / (groups * kc * std::mem::size_of::<T>()).max(1)).clamp(1, rows) };
    let mut cols: Vec<T> = Vec::new();
    if !pointwise {
        let n = groups * chunk * kc;
        cols.try_reserve_exact(n)
            .map_err(|_| Error::OutOfMemory(format!("conv_general: {n} elements of scratch for the unfolded input")))?;
        cols.resize(n, zero);
    }
    let mut r0 = 0;
    while r0 < rows {
        let r = chunk.min(rows - r0);
        // The lhs of group g: (r x kc), row stride `lhs_rs`, from `lhs + g * lhs_g`.
        let (lhs, lhs_rs, lhs_g) = if pointwise {
            // SAFETY: rows r0.. of the input are inside it (pointwise: output rows are input rows).
            (SendConst(unsafe { px.get().add(r0 * c_in) }), c_in, cg)
        } else {
            let pc = SendPtr(cols.as_mut_ptr());
            let geo = &geo;
            par_rows(r, groups * kc, |range| {
                let (mut opos, mut kpos) = (vec![0usize; d], vec![0usize; d]);
                for ri in range {
                    for k in 0..kk {
                        let src = geo.source(r0 + ri, k, &mut opos, &mut kpos);
                        for g in 0..groups {
                            // SAFETY: (g, ri, k, 0..cg) is inside the (groups, chunk, kk, cg) scratch,
                            // and pixel `src` of the input holds c_in elements; rows write disjoint parts.
                            unsafe {
                                let dst = pc.get().add(((g * r + ri) * kk + k) * cg);
                                match src {
                                    Some(p) => std::ptr::copy_nonoverlapping(px.get().add(p * c_in + g * cg), dst, cg),
                                    None => std::slice::from_raw_parts_mut(dst, cg).fill(zero),
                                }
                            }
                        }
                    }
                }
            });
            (SendConst(cols.as_ptr()), kc, r * kc)
        };
        let big = r * og * kc >= 64 * 64 * 64;
        let par = if big { gemm::Parallelism::Rayon(super::iter::num_threads()) } else { gemm::Parallelism::None };
        for g in 0..groups {
            // SAFETY: out rows r0..r0 + r, columns g*og.. are inside the output; the lhs block
            // (r x kc) of group g and the weight rows g*og.. (og x kc, read transposed) are
            // inside their buffers.
            unsafe {
                gemm::gemm::<T>(
                    r,
                    og,
                    kc,
                    po.get().add(r0 * c_out + g * og),
                    1,
                    c_out as isize,
                    false,
                    lhs.get().add(g * lhs_g),
                    1,
                    lhs_rs as isize,
                    pw.get().add(g * og * kc),
                    kc as isize,
                    1,
                    zero,
                    one,
                    false,
                    false,
                    false,
                    par,
                )
            }
        }
        r0 += r;
    }
    Ok(Data::contiguous(out_buf, shape))
}
