//! Moving elements: concatenate, pad, take, scatter and scatter along an axis.

use super::*;

pub(super) fn concatenate(ctx: &Ctx, inputs: &[Array], axis: usize, shape: &[usize], dtype: Dtype) -> Result<Data> {
    let n = size_of(shape);
    if n == 0 {
        return empty(shape, dtype);
    }
    let (buf, out) = ctx.alloc(n * dtype.size())?;
    let strides = row_major_strides(shape);
    let mut start = 0usize;
    for a in inputs {
        let dst = out + (start * strides[axis] as usize * dtype.size()) as u64;
        map_into(ctx, "x0", &[a], dtype, a.shape(), dst, &strides)?;
        start += a.shape()[axis];
    }
    Ok(Data::contiguous_arc(buf, shape))
}

pub(super) fn pad(ctx: &Ctx, inputs: &[Array], low: &[usize], mode: PadMode, shape: &[usize]) -> Result<Data> {
    let a = &inputs[0];
    let dtype = a.dtype();
    let n = size_of(shape);
    if n == 0 {
        return empty(shape, dtype);
    }
    let (inp, d) = ctx.ptr(a)?;
    let fill = match (mode, inputs.get(1)) {
        (PadMode::Constant, Some(v)) => ctx.ptr(v)?.0,
        _ => inp,
    };
    let (buf, out) = ctx.alloc(n * dtype.size())?;
    let mut args = Args::new();
    args.arg(out).arg(inp).arg(fill).arg((mode == PadMode::Edge) as i32).arg(n as i64).arg(shape.len() as i32);
    args.arg(dims(&to_i64(shape))?).arg(dims(&to_i64(a.shape()))?).arg(dims(&stride_i64(&d.strides))?);
    args.arg(dims(&to_i64(low))?);
    let defines = copy_defines(dtype);
    let f = ctx.func(Family::Elementwise, &defines, "ew_pad")?;
    launch(f, &Launch::linear(n as u64, 256)?, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, shape))
}

pub(super) fn take(ctx: &Ctx, a: &Array, indices: &Array, axis: usize, shape: &[usize]) -> Result<Data> {
    let dtype = a.dtype();
    let total = size_of(shape);
    if total == 0 {
        return empty(shape, dtype);
    }
    let d = contiguous(ctx, a)?;
    let inp = d.buf.device_ptr(ctx.g.index, ctx.s)? + (d.offset * dtype.size()) as u64;
    let di = contiguous(ctx, indices)?;
    let idx = di.buf.device_ptr(ctx.g.index, ctx.s)? + (di.offset * 8) as u64;
    let (buf, out) = ctx.alloc(total * dtype.size())?;
    let n = a.shape()[axis];
    let inner: usize = a.shape()[axis + 1..].iter().product();
    // Rows of at least 64 bytes: a block per row, copied in the widest words that fit.
    let row_bytes = inner * dtype.size();
    if row_bytes >= 64 {
        let w = [16usize, 8, 4]
            .into_iter()
            .find(|&w| row_bytes.is_multiple_of(w) && inp.is_multiple_of(w as u64) && out.is_multiple_of(w as u64));
        if let Some(w) = w {
            let tv = match w {
                16 => "w16",
                8 => "w8",
                _ => "w4",
            };
            let words = row_bytes / w;
            let m = indices.size().max(1);
            let rows = total / inner.max(1);
            let mut args = Args::new();
            args.arg(out).arg(inp).arg(idx).arg(rows as i64).arg(m as i64).arg(n as i64).arg(words as i64);
            let f = ctx.func(Family::Gather, &format!("#define TV {tv}"), "take_rows")?;
            let threads = (words.next_multiple_of(32)).clamp(32, 256) as u32;
            let l = Launch { grid: ((rows as u64).min(1 << 30) as u32, 1, 1), block: (threads, 1, 1), shared: 0 };
            launch(f, &l, ctx.s, &mut args)?;
            return Ok(Data::contiguous_arc(buf, shape));
        }
    }
    let mut args = Args::new();
    args.arg(out).arg(inp).arg(idx).arg(total as i64).arg(indices.size().max(1) as i64).arg(n as i64);
    args.arg(inner.max(1) as i64);
    let defines = copy_defines(dtype);
    let f = ctx.func(Family::Elementwise, &defines, "ew_take")?;
    launch(f, &Launch::linear(total as u64, 256)?, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, shape))
}

pub(super) fn scatter(ctx: &Ctx, a: &Array, indices: &Array, updates: &Array, mode: ScatterMode) -> Result<Data> {
    let dtype = a.dtype();
    let n = a.size();
    if n == 0 {
        return empty(a.shape(), dtype);
    }
    // A row-major copy of `a`, always a new buffer (the updates write into it).
    let (buf, out) = ctx.alloc(n * dtype.size())?;
    let row = row_major_strides(a.shape());
    map_into(ctx, "x0", &[a], dtype, a.shape(), out, &row)?;
    let m = indices.size();
    if m > 0 {
        let di = contiguous(ctx, indices)?;
        let idx = di.buf.device_ptr(ctx.g.index, ctx.s)? + (di.offset * 8) as u64;
        let du = contiguous(ctx, updates)?;
        let upd = du.buf.device_ptr(ctx.g.index, ctx.s)? + (du.offset * dtype.size()) as u64;
        let mut args = Args::new();
        args.arg(out).arg(idx).arg(upd).arg(m as i64).arg(n as i64).arg(mode_code(mode));
        let defines = copy_defines(dtype);
        let f = ctx.func(Family::Scatter, &defines, "ew_scatter")?;
        launch(f, &grid_for(m as u64), ctx.s, &mut args)?;
    }
    Ok(Data::contiguous_arc(buf, a.shape()))
}

pub(super) fn mode_code(mode: ScatterMode) -> i32 {
    match mode {
        ScatterMode::Set => 0,
        ScatterMode::Add => 1,
        ScatterMode::Prod => 2,
        ScatterMode::Max => 3,
        ScatterMode::Min => 4,
    }
}

/// A grid-stride launch over `n` items: enough blocks to fill the GPU.
pub(super) fn grid_for(n: u64) -> Launch {
    let blocks = n.div_ceil(256).clamp(1, 1 << 20) as u32;
    Launch { grid: (blocks, 1, 1), block: (256, 1, 1), shared: 0 }
}

/// `scatter_axis`: a row-major copy of `a`, then the update blocks, a
/// thread per element (atomics for the combining modes).
pub(super) fn scatter_axis(
    ctx: &Ctx,
    a: &Array,
    indices: &Array,
    updates: &Array,
    mode: ScatterMode,
    axis: usize,
) -> Result<Data> {
    let dtype = a.dtype();
    let n_all = a.size();
    if n_all == 0 {
        return empty(a.shape(), dtype);
    }
    let (buf, out) = ctx.alloc(n_all * dtype.size())?;
    let row = row_major_strides(a.shape());
    map_into(ctx, "x0", &[a], dtype, a.shape(), out, &row)?;
    let total = updates.size();
    if total == 0 || indices.size() == 0 {
        return Ok(Data::contiguous_arc(buf, a.shape()));
    }
    let di = contiguous(ctx, indices)?;
    let idx = di.buf.device_ptr(ctx.g.index, ctx.s)? + (di.offset * 8) as u64;
    let du = contiguous(ctx, updates)?;
    let upd = du.buf.device_ptr(ctx.g.index, ctx.s)? + (du.offset * dtype.size()) as u64;
    let n = a.shape()[axis];
    let inner: usize = a.shape()[axis + 1..].iter().product();
    let m = indices.size();
    let defines = copy_defines(dtype);
    if mode == ScatterMode::Add
        && dtype == Dtype::Bfloat16
        && ctx.g.cc.0 >= 9
        && inner.is_multiple_of(2)
        && out.is_multiple_of(4)
        && upd.is_multiple_of(4)
    {
        let mut args = Args::new();
        args.arg(out).arg(idx).arg(upd).arg((total / 2) as i64).arg(m as i64).arg(n as i64).arg((inner / 2) as i64);
        let f = ctx.func(Family::Scatter, &defines, "ew_scatter_axis_add_bf16x2")?;
        launch(f, &grid_for((total / 2) as u64), ctx.s, &mut args)?;
        return Ok(Data::contiguous_arc(buf, a.shape()));
    }
    let mut args = Args::new();
    args.arg(out).arg(idx).arg(upd).arg(total as i64).arg(m as i64).arg(n as i64).arg(inner.max(1) as i64);
    args.arg(mode_code(mode));
    let f = ctx.func(Family::Scatter, &defines, "ew_scatter_axis")?;
    launch(f, &grid_for(total as u64), ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, a.shape()))
}
