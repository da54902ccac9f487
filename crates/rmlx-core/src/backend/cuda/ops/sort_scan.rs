//! Sorting, searchsorted and scans.

use super::*;

pub(super) fn sort_defines(dt: Dtype) -> String {
    format!("typedef {} T;\n#define KEYBYTES {}", ctype(dt), dt.size())
}

/// Sorts the last axis (see kernels/sort.cu): a block per row up to 4096
/// elements, radix passes over tiles beyond.
pub(super) fn sort(ctx: &Ctx, a: &Array, arg: bool, shape: &[usize]) -> Result<Data> {
    let dt = a.dtype();
    let out_dt = if arg { Dtype::Uint32 } else { dt };
    let total = size_of(shape);
    let len = shape.last().copied().unwrap_or(1);
    if total == 0 {
        return empty(shape, out_dt);
    }
    let rows = total / len;
    let d = contiguous(ctx, a)?;
    let inp = d.buf.device_ptr(ctx.g.index, ctx.s)? + (d.offset * dt.size()) as u64;
    let (buf, out) = ctx.alloc(total * out_dt.size())?;
    let defines = sort_defines(dt);
    let ksize: usize = if dt.size() == 8 { 8 } else { 4 };
    if len <= 4096 {
        let tile = len.next_power_of_two().max(2);
        let threads = (tile / 2).clamp(32, 1024) as u32;
        let mut args = Args::new();
        args.arg(out).arg(inp).arg(rows as i64).arg(len as i64).arg(tile as i32).arg(arg as i32);
        let f = ctx.func(Family::Sort, &defines, "sort_block")?;
        let l = Launch {
            grid: ((rows as u64).min(1 << 30) as u32, 1, 1),
            block: (threads, 1, 1),
            shared: (tile * (ksize + 4)) as u32,
        };
        launch(f, &l, ctx.s, &mut args)?;
        return Ok(Data::contiguous_arc(buf, shape));
    }
    // Radix tiles (kernels/sort.cu's RT): 4096 elements, 2048 for 8-byte keys.
    let tiles = len.div_ceil(if ksize == 8 { 2048 } else { 4096 });
    let blocks = rows.checked_mul(tiles).filter(|&b| b <= i32::MAX as usize).ok_or_else(|| {
        Error::value(format!("sort: {rows} rows of {len} elements are more than one launch can cover"))
    })?;
    let passes = dt.size();
    let (_k0, k0) = ctx.alloc(total * ksize)?;
    let (_k1, k1) = ctx.alloc(total * ksize)?;
    // The index payload, for argsort only.
    let (_i0, i0) = ctx.alloc(if arg { total * 4 } else { 4 })?;
    let (_i1, i1) = ctx.alloc(if arg { total * 4 } else { 4 })?;
    let (_h, hist) = ctx.alloc(rows * 256 * tiles * 4)?;
    let (_t, dtot) = ctx.alloc(rows * 256 * 4)?;
    let fh = ctx.func(Family::Sort, &defines, "radix_hist")?;
    let fs = ctx.func(Family::Sort, &defines, "radix_scan")?;
    let fx = ctx.func(Family::Sort, &defines, "radix_scatter")?;
    let grid = Launch { grid: (blocks as u32, 1, 1), block: (256, 1, 1), shared: 0 };
    let (mut kin, mut kout, mut iin, mut iout) = (k0, k1, i0, i1);
    for p in 0..passes {
        let (first, last) = ((p == 0) as i32, (p + 1 == passes) as i32);
        let shift = (8 * p) as i32;
        let mut args = Args::new();
        args.arg(inp).arg(kin).arg(hist).arg(len as i64).arg(tiles as i64).arg(shift).arg(first).arg(arg as i32);
        launch(fh, &grid, ctx.s, &mut args)?;
        let mut args = Args::new();
        args.arg(hist).arg(dtot).arg(tiles as i64);
        let l = Launch { grid: ((rows * 256) as u32, 1, 1), block: (256, 1, 1), shared: 0 };
        launch(fs, &l, ctx.s, &mut args)?;
        let mut args = Args::new();
        args.arg(inp).arg(kin).arg(iin).arg(kout).arg(iout).arg(out).arg(hist).arg(dtot);
        args.arg(len as i64).arg(tiles as i64).arg(shift).arg(first).arg(last).arg(arg as i32);
        let tile = if ksize == 8 { 2048 } else { 4096 };
        let l =
            Launch { grid: grid.grid, block: grid.block, shared: (tile * (ksize + if arg { 4 } else { 0 })) as u32 };
        launch(fx, &l, ctx.s, &mut args)?;
        std::mem::swap(&mut kin, &mut kout);
        std::mem::swap(&mut iin, &mut iout);
    }
    Ok(Data::contiguous_arc(buf, shape))
}

pub(super) fn search_sorted(ctx: &Ctx, a: &Array, v: &Array, right: bool) -> Result<Data> {
    let m = v.size();
    if m == 0 {
        return empty(v.shape(), Dtype::Uint32);
    }
    let dt = a.dtype();
    let da = contiguous(ctx, a)?;
    let ap = da.buf.device_ptr(ctx.g.index, ctx.s)? + (da.offset * dt.size()) as u64;
    let dv = contiguous(ctx, v)?;
    let vp = dv.buf.device_ptr(ctx.g.index, ctx.s)? + (dv.offset * dt.size()) as u64;
    let (buf, out) = ctx.alloc(m * 4)?;
    let mut args = Args::new();
    args.arg(out).arg(ap).arg(vp).arg(a.size() as i64).arg(m as i64).arg(right as i32);
    let f = ctx.func(Family::Sort, &sort_defines(dt), "search_sorted")?;
    launch(f, &Launch::linear(m as u64, 256)?, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, v.shape()))
}

pub(super) fn scan_defines(op: ScanOp, dt: Dtype) -> String {
    let code = match op {
        ScanOp::Sum => 0,
        ScanOp::Prod => 1,
        ScanOp::Max => 2,
        ScanOp::Min => 3,
        ScanOp::LogAddExp => 4,
    };
    format!("typedef {} T;\n#define OP {code}", ctype(dt))
}

pub(super) fn scan(ctx: &Ctx, a: &Array, op: ScanOp, axis: usize, reverse: bool, inclusive: bool) -> Result<Data> {
    let dt = a.dtype();
    let shape = a.shape();
    let total = size_of(shape);
    if total == 0 {
        return empty(shape, dt);
    }
    let n = shape[axis];
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let d = contiguous(ctx, a)?;
    let inp = d.buf.device_ptr(ctx.g.index, ctx.s)? + (d.offset * dt.size()) as u64;
    let (buf, out) = ctx.alloc(total * dt.size())?;
    let defines = scan_defines(op, dt);
    if inner > 1 {
        let mut args = Args::new();
        args.arg(out).arg(inp).arg(outer as i64).arg(n as i64).arg(inner as i64);
        args.arg(reverse as i32).arg(inclusive as i32);
        let f = ctx.func(Family::Scan, &defines, "scan_cols")?;
        launch(f, &Launch::linear((outer * inner) as u64, 256)?, ctx.s, &mut args)?;
        return Ok(Data::contiguous_arc(buf, shape));
    }
    // Enough blocks to fill the GPU: few long rows are cut into chunks.
    let rows = outer;
    let want = 4 * ctx.g.sm_count.max(1) as usize;
    let chunks = if rows >= want || n <= 2 * 2048 { 1 } else { want.div_ceil(rows).min(n / 2048).clamp(1, 256) };
    let chunk_len = n.div_ceil(chunks).next_multiple_of(2048);
    let chunks = n.div_ceil(chunk_len);
    let acc_size = if matches!(dt, Dtype::Float16 | Dtype::Bfloat16) { 4 } else { dt.size() };
    let (_tb, totals) = ctx.alloc(rows * chunks * acc_size)?;
    if chunks > 1 {
        let mut args = Args::new();
        args.arg(totals).arg(inp).arg(n as i64).arg(chunks as i64).arg(chunk_len as i64).arg(reverse as i32);
        let f = ctx.func(Family::Scan, &defines, "scan_totals")?;
        launch(f, &Launch { grid: ((rows * chunks) as u32, 1, 1), block: (256, 1, 1), shared: 0 }, ctx.s, &mut args)?;
    }
    let mut args = Args::new();
    args.arg(out).arg(inp).arg(totals).arg(rows as i64).arg(n as i64).arg(chunks as i64).arg(chunk_len as i64);
    args.arg(reverse as i32).arg(inclusive as i32);
    let f = ctx.func(Family::Scan, &defines, "scan_rows")?;
    let grid = ((rows * chunks) as u64).min(1 << 30) as u32;
    launch(f, &Launch { grid: (grid, 1, 1), block: (256, 1, 1), shared: 0 }, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, shape))
}
