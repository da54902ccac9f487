//! Matrix products through cuBLASLt (or the GEMV kernel), and convolutions
//! (cuDNN, or the input unfolded by `conv_unfold` into cuBLASLt products).

use super::*;
use crate::backend::cuda::cudnn;
use crate::primitive::ConvArgs;

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
        && crate::knobs::knobs().gemv
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
            ldc: n,
            stride_c: (m * n) as i64,
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

/// Most bytes of one chunk of the im2col matrix (rows of the output are
/// unfolded and multiplied a chunk at a time).
const UNFOLD_BYTES: usize = 256 << 20;

/// The arguments of `conv_unfold` that describe the geometry.
struct Geometry {
    in_sp: Dims,
    out_sp: Dims,
    k: Dims,
    stride: Dims,
    kdil: Dims,
    idil: Dims,
    lo: Dims,
    d: i32,
}

impl Geometry {
    fn new(x: &[usize], out: &[usize], k: &[usize], args: &ConvArgs) -> Result<Geometry> {
        let d = x.len() - 2;
        Ok(Geometry {
            in_sp: dims(&to_i64(&x[1..=d]))?,
            out_sp: dims(&to_i64(&out[1..=d]))?,
            k: dims(&to_i64(k))?,
            stride: dims(&to_i64(&args.stride))?,
            kdil: dims(&to_i64(&args.kernel_dilation))?,
            idil: dims(&to_i64(&args.input_dilation))?,
            lo: dims(&to_i64(&args.padding.iter().map(|p| p.0).collect::<Vec<_>>()))?,
            d: d as i32,
        })
    }
}

/// Enqueues `conv_unfold`: rows `r0..r0 + rows` of the (G, rows, K, Cg)
/// im2col matrix of `x` (row-major channels last at `px`) into `dst`.
#[allow(clippy::too_many_arguments)]
fn unfold(
    ctx: &Ctx,
    dtype: Dtype,
    dst: u64,
    px: u64,
    geo: &Geometry,
    r0: usize,
    rows: usize,
    kk: usize,
    groups: usize,
    cg: usize,
    flip: bool,
) -> Result<()> {
    let total = (groups * rows * kk * cg) as u64;
    let mut a = Args::new();
    a.arg(dst).arg(px).arg(geo.in_sp).arg(geo.out_sp).arg(geo.k).arg(geo.stride).arg(geo.kdil).arg(geo.idil);
    a.arg(geo.lo).arg(geo.d).arg(r0 as i64).arg(rows as i64).arg(kk as i64).arg(groups as i64).arg(cg as i64);
    a.arg(flip as i32).arg(total as i64);
    let f = ctx.func(Family::Conv, &format!("typedef {} T;", ctype(dtype)), "conv_unfold")?;
    launch(f, &Launch::linear(total, 256)?, ctx.s, &mut a)
}

/// A convolution node: through cuDNN when it takes the shapes (padding
/// that differs between the sides added first), else the input unfolded
/// (im2col) a chunk of output rows at a time and multiplied with the
/// weights by cuBLASLt, one product per group.
pub(super) fn conv(ctx: &Ctx, x: &Array, w: &Array, args: &ConvArgs, shape: &[usize], dtype: Dtype) -> Result<Data> {
    let n_out = size_of(shape);
    if n_out == 0 {
        return empty(shape, dtype);
    }
    let nd = shape.len();
    let d = nd - 2;
    let xc = contiguous(ctx, x)?;
    let wc = contiguous(ctx, w)?;
    let px = xc.buf.device_ptr(ctx.g.index, ctx.s)? + (xc.offset * dtype.size()) as u64;
    let pw = wc.buf.device_ptr(ctx.g.index, ctx.s)? + (wc.offset * dtype.size()) as u64;
    let (buf, out) = ctx.alloc(n_out * dtype.size())?;
    let ks = &w.shape()[1..=d];
    let (c_in, c_out, g) = (x.shape()[nd - 1], shape[nd - 1], args.groups);
    let (cg, og) = (c_in / g, c_out / g);

    if args.input_dilation.iter().all(|&v| v == 1) && matches!(dtype, Dtype::Float32 | Dtype::Float16 | Dtype::Bfloat16)
    {
        let sym: Vec<usize> = args.padding.iter().map(|&(a, b)| a.min(b)).collect();
        let mut xp_shape = x.shape().to_vec();
        for (i, &(a, b)) in args.padding.iter().enumerate() {
            xp_shape[1 + i] += a + b - 2 * sym[i];
        }
        let spec = cudnn::ConvSpec {
            stride: args.stride.clone(),
            padding: sym.clone(),
            dilation: args.kernel_dilation.clone(),
            groups: g,
            flip: args.flip,
        };
        if cudnn::supported(ctx.g.index, dtype, &xp_shape, w.shape(), &spec, shape) {
            // Padding beyond the symmetric part: a padded copy (an unfold with a 1 x ... x 1 kernel).
            let padded = if xp_shape != x.shape() {
                let mut pad_args = ConvArgs::new(d);
                pad_args.padding = args.padding.iter().zip(&sym).map(|(&(a, _), &s)| (a - s, 0)).collect();
                let geo = Geometry::new(x.shape(), &xp_shape, &vec![1; d], &pad_args)?;
                let copy = ctx.alloc(size_of(&xp_shape) * dtype.size())?;
                unfold(ctx, dtype, copy.1, px, &geo, 0, size_of(&xp_shape[..=d]), 1, 1, c_in, false)?;
                Some(copy)
            } else {
                None
            };
            let x_ptr = padded.as_ref().map_or(px, |c| c.1);
            let ops = cudnn::Operands { x: x_ptr, w: pw, y: out };
            cudnn::forward(ctx.g.index, ctx.s, dtype, &xp_shape, w.shape(), &spec, shape, &ops, |bytes| {
                ctx.alloc(bytes)
            })?;
            return Ok(Data::contiguous_arc(buf, shape));
        }
    }
    if !matches!(dtype, Dtype::Float32 | Dtype::Float16 | Dtype::Bfloat16 | Dtype::Float64 | Dtype::Complex64) {
        return Err(Error::dtype_unsupported("conv_general", dtype));
    }
    let rows = size_of(&shape[..=d]);
    let kk = size_of(ks);
    let kc = kk * cg;
    let size = dtype.size();
    let pointwise = args.is_pointwise(ks);
    let chunk = if pointwise { rows } else { (UNFOLD_BYTES / (g * kc * size).max(1)).clamp(1, rows) };
    let geo = Geometry::new(x.shape(), shape, ks, args)?;
    let scratch = if pointwise { None } else { Some(ctx.alloc(g * chunk * kc * size)?) };
    let mut r0 = 0;
    while r0 < rows {
        let r = chunk.min(rows - r0);
        // A (r x kc) per group: the unfolded rows, or the input itself for a 1 x ... x 1 kernel.
        let (a, lda, stride_a) = match &scratch {
            Some((_, p)) => {
                unfold(ctx, dtype, *p, px, &geo, r0, r, kk, g, cg, args.flip)?;
                (*p, kc, (r * kc) as i64)
            }
            None => (px + (r0 * c_in * size) as u64, c_in, cg as i64),
        };
        let gm = blaslt::Gemm {
            dtype,
            m: r,
            n: og,
            k: kc,
            batch: g,
            a,
            lda,
            a_trans: false,
            stride_a,
            // B[p][o] = w[g * og + o][p]: the weight rows, transposed.
            b: pw,
            ldb: kc,
            b_trans: true,
            stride_b: (og * kc) as i64,
            c: out + (r0 * c_out * size) as u64,
            ldc: c_out,
            stride_c: og as i64,
        };
        blaslt::gemm(ctx.g.index, ctx.s.0, &gm)?;
        r0 += r;
    }
    Ok(Data::contiguous_arc(buf, shape))
}
