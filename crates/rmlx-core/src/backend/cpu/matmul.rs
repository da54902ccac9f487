//! Matrix products through the `gemm` crate (float16, float32, float64,
//! complex64 natively; bfloat16 through float32), and a blocked loop for
//! integers. Strided and transposed operands are passed as strides, not copied.

use super::iter::{par_rows, SendConst, SendPtr};
use super::scalar::Arith;
use crate::array::{Array, Data};
use crate::dtype::{Dtype, Element};
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::shape::size_of;
use half::{bf16, f16};
use num_complex::Complex32;

struct Operand {
    data: Data,
    batch_strides: Vec<isize>,
    rs: isize,
    cs: isize,
}

fn operand(a: &Array) -> Result<Operand> {
    let mut data = a.data()?;
    let nd = a.ndim();
    let (r, c) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    let (mut rs, mut cs) = (data.strides[nd - 2], data.strides[nd - 1]);
    // gemm wants positive strides with one of them unit; anything else is copied first.
    let ok = (rs > 0 || r == 1) && (cs > 0 || c == 1) && (rs == 1 || cs == 1 || r == 1 || c == 1);
    if !ok {
        data = super::layout::contiguous(a)?;
        rs = data.strides[nd - 2];
        cs = data.strides[nd - 1];
    }
    if r == 1 {
        rs = c as isize;
    }
    if c == 1 {
        cs = 1;
    }
    Ok(Operand { batch_strides: data.strides[..nd - 2].to_vec(), data, rs, cs })
}

/// Offsets of each batch element, in elements.
fn batch_offsets(batch: &[usize], strides: &[isize]) -> Vec<isize> {
    let n = size_of(batch);
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; batch.len()];
    for _ in 0..n {
        out.push(idx.iter().zip(strides).map(|(&i, &s)| i as isize * s).sum());
        for k in (0..batch.len()).rev() {
            idx[k] += 1;
            if idx[k] < batch[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

/// `a @ b` with equal batch shapes (broadcast already applied as views).
pub(crate) fn matmul(a: &Array, b: &Array, out_shape: &[usize], dtype: Dtype) -> Result<Data> {
    let nd = out_shape.len();
    let (m, n) = (out_shape[nd - 2], out_shape[nd - 1]);
    let k = a.shape()[nd - 1];
    let batch = &out_shape[..nd - 2];
    let out_buf = Buffer::alloc(size_of(out_shape) * dtype.size())?;
    if size_of(out_shape) == 0 {
        return Ok(Data::contiguous(out_buf, out_shape));
    }
    if dtype == Dtype::Bfloat16 {
        let tmp = matmul(&bf16_to_f32(a)?, &bf16_to_f32(b)?, out_shape, Dtype::Float32)?;
        return f32_to_bf16(&tmp, out_shape);
    }
    let (oa, ob) = (operand(a)?, operand(b)?);
    let (offa, offb) = (batch_offsets(batch, &oa.batch_strides), batch_offsets(batch, &ob.batch_strides));
    let nb = offa.len();
    macro_rules! go {
        ($T:ty, $zero:expr, $one:expr) => {{
            let pa = SendConst(unsafe_ptr::<$T>(&oa.data));
            let pb = SendConst(unsafe_ptr::<$T>(&ob.data));
            let po = SendPtr(out_buf.as_mut_ptr() as *mut $T);
            let big = m * n * k >= 64 * 64 * 64;
            let run = |bi: usize, par: gemm::Parallelism| {
                // SAFETY: the strides and offsets address the m x k and k x n operands and the
                // m x n output of batch element `bi`, all inside their buffers.
                unsafe {
                    gemm::gemm::<$T>(
                        m,
                        n,
                        k,
                        po.get().add(bi * m * n),
                        1,
                        n as isize,
                        false,
                        pa.get().offset(offa[bi]),
                        oa.cs,
                        oa.rs,
                        pb.get().offset(offb[bi]),
                        ob.cs,
                        ob.rs,
                        $zero,
                        $one,
                        false,
                        false,
                        false,
                        par,
                    )
                }
            };
            if nb == 1 || big && nb < super::iter::num_threads() {
                let par =
                    if big { gemm::Parallelism::Rayon(super::iter::num_threads()) } else { gemm::Parallelism::None };
                for bi in 0..nb {
                    run(bi, par);
                }
            } else {
                par_rows(nb, m * n * k, |r| {
                    for bi in r {
                        run(bi, gemm::Parallelism::None);
                    }
                });
            }
        }};
    }
    match dtype {
        Dtype::Float32 => go!(f32, 0.0, 1.0),
        Dtype::Float64 => go!(f64, 0.0, 1.0),
        Dtype::Float16 => go!(f16, f16::ZERO, f16::ONE),
        Dtype::Complex64 => go!(Complex32, Complex32::new(0.0, 0.0), Complex32::new(1.0, 0.0)),
        d if d.is_integer() => {
            crate::dispatch_dtype!(d, T => int_matmul::<T>(&oa, &ob, &offa, &offb, m, n, k, &out_buf))
        }
        d => return Err(Error::dtype_unsupported("matmul", d)),
    }
    Ok(Data::contiguous(out_buf, out_shape))
}

fn unsafe_ptr<T>(d: &Data) -> *const T {
    // SAFETY: the offset is inside the buffer.
    unsafe { (d.buf.as_ptr() as *const T).add(d.offset) }
}

/// Integer products wrap, as NumPy's do; rows of the output in parallel, i-k-j order.
#[allow(clippy::too_many_arguments)]
fn int_matmul<T: Arith + Element>(
    oa: &Operand,
    ob: &Operand,
    offa: &[isize],
    offb: &[isize],
    m: usize,
    n: usize,
    k: usize,
    out: &Buffer,
) {
    let pa = SendConst(unsafe_ptr::<T>(&oa.data));
    let pb = SendConst(unsafe_ptr::<T>(&ob.data));
    let po = SendPtr(out.as_mut_ptr() as *mut T);
    let rows = offa.len() * m;
    par_rows(rows, n * k, |range| {
        for row in range {
            let (bi, i) = (row / m, row % m);
            // SAFETY: row `i` of batch `bi` of the output holds `n` elements.
            let o = unsafe { std::slice::from_raw_parts_mut(po.get().add(row * n), n) };
            o.fill(T::zero_val());
            for p in 0..k {
                // SAFETY: (i, p) of a and row p of b are inside their operands.
                unsafe {
                    let av = *pa.get().offset(offa[bi] + i as isize * oa.rs + p as isize * oa.cs);
                    let brow = pb.get().offset(offb[bi] + p as isize * ob.rs);
                    for (j, oj) in o.iter_mut().enumerate() {
                        *oj = oj.add(av.mul(*brow.offset(j as isize * ob.cs)));
                    }
                }
            }
        }
    });
}

/// A new bfloat16 buffer of `shape` from the row-major float32 `src`.
pub(super) fn f32_to_bf16(src: &Data, shape: &[usize]) -> Result<Data> {
    let n = size_of(shape);
    let buf = Buffer::alloc(n * 2)?;
    let src = SendConst(src.buf.as_ptr() as *const f32);
    let dst = SendPtr(buf.as_mut_ptr() as *mut bf16);
    super::iter::par_range(n, 4096, |r| {
        for i in r {
            // SAFETY: both hold the `n` elements of `shape`.
            unsafe { *dst.get().add(i) = bf16::from_f32(*src.get().add(i)) };
        }
    });
    Ok(Data::contiguous(buf, shape))
}

/// A ready float32 copy of a bfloat16 array.
pub(super) fn bf16_to_f32(a: &Array) -> Result<Array> {
    let d = super::layout::contiguous(a)?;
    let n = a.size();
    let buf = Buffer::alloc(n * 4)?;
    let src = SendConst(unsafe_ptr::<bf16>(&d));
    let dst = SendPtr(buf.as_mut_ptr() as *mut f32);
    super::iter::par_range(n, 4096, |r| {
        for i in r {
            // SAFETY: both hold `n` elements.
            unsafe { *dst.get().add(i) = (*src.get().add(i)).to_f32() };
        }
    });
    Ok(Array::ready(a.shape().to_vec(), Dtype::Float32, a.stream(), Data::contiguous(buf, a.shape())))
}
