//! Matrix products through cuBLASLt (or the GEMV kernel), and convolutions
//! through cuDNN.

use super::*;

/// (pointer, leading dimension, transposed, batch stride) of the last two axes
/// of `a` as a matrix, after a copy if no single leading dimension fits.
pub(super) fn matrix_operand(ctx: &Ctx, a: &Array) -> Result<(u64, usize, bool, i64, Option<Data>)> {
    let nd = a.ndim();
    let (rows, cols) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    let batch_shape = &a.shape()[..nd - 2];
    let try_layout = |d: &Data| -> Option<(usize, bool, i64)> {
        let (sr, sc) = (d.strides[nd - 2], d.strides[nd - 1]);
        let lay = if (sc == 1 || cols == 1) && sr >= cols.max(1) as isize {
            (sr as usize, false)
        } else if (sr == 1 || rows == 1) && sc >= rows.max(1) as isize {
            (sc as usize, true)
        } else if rows == 1 && cols == 1 {
            (1, false)
        } else {
            return None;
        };
        let (bs, bst) = collapse_dims(batch_shape, &[&d.strides[..nd - 2]]);
        let bst = bst.into_iter().next().unwrap_or_default();
        let stride = match bs.len() {
            0 => 0,
            1 => bst[0] as i64,
            _ => return None,
        };
        if stride < 0 {
            return None;
        }
        Some((lay.0, lay.1, stride))
    };
    let d = a.data()?;
    if let Some((ld, t, s)) = try_layout(&d) {
        let (p, _) = ctx.ptr(a)?;
        return Ok((p, ld, t, s, None));
    }
    // The copy is returned so it lives until the product is enqueued; after
    // that, stream order keeps its memory from reuse until the product ran.
    let c = map(ctx, "x0", &[a], a.dtype(), a.shape())?;
    let p = c.buf.device_ptr(ctx.g.index, ctx.s)?;
    let (ld, t, s) = try_layout(&c).ok_or_else(|| Error::Runtime("internal: contiguous matrix layout".into()))?;
    Ok((p, ld, t, s, Some(c)))
}

pub(super) fn matmul(ctx: &Ctx, a: &Array, b: &Array, shape: &[usize], dtype: Dtype) -> Result<Data> {
    let n_out = size_of(shape);
    if n_out == 0 {
        return empty(shape, dtype);
    }
    let nd = shape.len();
    let (m, n) = (shape[nd - 2], shape[nd - 1]);
    let k = a.shape()[a.ndim() - 1];
    let batch = n_out / (m * n);
    let (buf, out) = ctx.alloc(n_out * dtype.size())?;
    if k == 0 {
        // SAFETY: `out` holds n_out elements on this device.
        crate::backend::cuda::driver::check(
            unsafe { cudarc::driver::sys::cuMemsetD8Async(out, 0, n_out * dtype.size(), ctx.s.0) },
            "cuMemsetD8Async",
        )?;
        return Ok(Data::contiguous_arc(buf, shape));
    }
    let (pa, lda, ta, sa, _keep_a) = matrix_operand(ctx, a)?;
    let (pb, ldb, tb, sb, _keep_b) = matrix_operand(ctx, b)?;
    // One row times a matrix (decode): our own kernels, at memory speed.
    if m == 1
        && batch == 1
        && !ta
        && matches!(dtype, Dtype::Float32 | Dtype::Float16 | Dtype::Bfloat16)
        && GEMV.get() == 1
    {
        let size = dtype.size() as u64;
        let vw = 16 / size;
        let defines = format!("typedef {} T;\n#define GEMV 1", ctype(dtype));
        let mut args = Args::new();
        args.arg(out).arg(pa).arg(pb).arg(k as i64).arg(n as i64).arg(ldb as i64);
        if !tb && pb.is_multiple_of(16) && (ldb as u64 * size).is_multiple_of(16) {
            // (K x N) row-major: a block per 8 vectors of columns.
            let f = ctx.func(Family::Matmul, &defines, "gemv_n")?;
            let l = Launch { grid: ((n as u64).div_ceil(8 * vw) as u32, 1, 1), block: (512, 1, 1), shared: 0 };
            launch(f, &l, ctx.s, &mut args)?;
            return Ok(Data::contiguous_arc(buf, shape));
        }
        if tb {
            // (N x K) row-major, used transposed: a warp per output.
            let vec_ok = pb.is_multiple_of(16) && pa.is_multiple_of(16) && (ldb as u64 * size).is_multiple_of(16);
            args.arg(vec_ok as i32);
            let f = ctx.func(Family::Matmul, &defines, "gemv_t")?;
            launch(f, &Launch::linear(n as u64 * 32, 256)?, ctx.s, &mut args)?;
            return Ok(Data::contiguous_arc(buf, shape));
        }
    }
    if matches!(dtype, Dtype::Float32 | Dtype::Float16 | Dtype::Bfloat16 | Dtype::Float64 | Dtype::Complex64) {
        let g = blaslt::Gemm {
            dtype,
            m,
            n,
            k,
            batch,
            a: pa,
            lda,
            a_trans: ta,
            stride_a: sa,
            b: pb,
            ldb,
            b_trans: tb,
            stride_b: sb,
            c: out,
        };
        blaslt::gemm(ctx.g.index, ctx.s.0, &g)?;
    } else {
        let (am, ak) = if ta { (1, lda as i64) } else { (lda as i64, 1) };
        let (bk, bn) = if tb { (1, ldb as i64) } else { (ldb as i64, 1) };
        let defines = format!("typedef {} T;", ctype(dtype));
        let mut args = Args::new();
        args.arg(out).arg(pa).arg(pb).arg(m as i64).arg(n as i64).arg(k as i64);
        args.arg(sa).arg(am).arg(ak).arg(sb).arg(bk).arg(bn);
        let f = ctx.func(Family::Matmul, &defines, "mm_tiled")?;
        let l = Launch {
            grid: ((n as u64).div_ceil(16) as u32, (m as u64).div_ceil(16) as u32, batch as u32),
            block: (16, 16, 1),
            shared: 0,
        };
        launch(f, &l, ctx.s, &mut args)?;
    }
    Ok(Data::contiguous_arc(buf, shape))
}

/// A convolution through cuDNN (channels last, row-major operands).
pub(super) fn conv(
    ctx: &Ctx,
    x: &Array,
    w: &Array,
    spec: &crate::primitive::ConvSpec,
    shape: &[usize],
    dtype: Dtype,
) -> Result<Data> {
    let n_out = size_of(shape);
    if n_out == 0 {
        return empty(shape, dtype);
    }
    let xc = contiguous(ctx, x)?;
    let wc = contiguous(ctx, w)?;
    let px = xc.buf.device_ptr(ctx.g.index, ctx.s)? + (xc.offset * dtype.size()) as u64;
    let pw = wc.buf.device_ptr(ctx.g.index, ctx.s)? + (wc.offset * dtype.size()) as u64;
    let (buf, out) = ctx.alloc(n_out * dtype.size())?;
    let ops = crate::backend::cuda::cudnn::Operands { x: px, w: pw, y: out };
    crate::backend::cuda::cudnn::forward(
        ctx.g.index,
        ctx.s,
        dtype,
        x.shape(),
        w.shape(),
        spec,
        shape,
        &ops,
        |bytes| ctx.alloc(bytes),
    )?;
    Ok(Data::contiguous_arc(buf, shape))
}
