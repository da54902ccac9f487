//! Reductions over axes, arg reductions, and the row kernels (softmax,
//! logsumexp, median).

use super::*;

pub(super) fn reduce_defines(op: ReduceOp, dt: Dtype, out_dtype: Dtype) -> (String, &'static str) {
    let t = ctype(dt);
    let half = matches!(dt, Dtype::Float16 | Dtype::Bfloat16);
    let (acc, init, load, comb, fin) = match op {
        ReduceOp::All => ("bool", "true".to_string(), "nonzero(x)".to_string(), "(a && b)", "a".to_string()),
        ReduceOp::Any => ("bool", "false".to_string(), "nonzero(x)".to_string(), "(a || b)", "a".to_string()),
        _ if half => {
            let (init, comb) = match op {
                ReduceOp::Sum => ("0.0f", "(a + b)"),
                ReduceOp::Prod => ("1.0f", "(a * b)"),
                ReduceOp::Min => ("__int_as_float(0x7f800000)", "op_min<float>(a, b)"),
                _ => ("__int_as_float(0xff800000)", "op_max<float>(a, b)"),
            };
            ("float", init.to_string(), "up(x)".to_string(), comb, format!("down<{t}>(a)"))
        }
        _ => {
            let (init, comb) = match op {
                ReduceOp::Sum => ("zero_v", "op_add(a, b)"),
                ReduceOp::Prod => ("one_v", "op_mul(a, b)"),
                ReduceOp::Min => ("highest_v", "op_min(a, b)"),
                _ => ("lowest_v", "op_max(a, b)"),
            };
            (t, format!("{init}<{t}>()"), "x".to_string(), comb, "a".to_string())
        }
    };
    let defines = format!(
        "typedef {t} TI; typedef {acc} TACC; typedef {} TO;\n#define INIT ({init})\n#define LOAD(x) ({load})\n\
         #define COMB(a, b) ({comb})\n#define FIN(a) ({fin})",
        ctype(out_dtype)
    );
    (defines, acc)
}

pub(super) fn reduce(
    ctx: &Ctx,
    op: ReduceOp,
    a: &Array,
    axes: &[usize],
    shape: &[usize],
    out_dtype: Dtype,
) -> Result<Data> {
    let n_out = size_of(shape);
    if n_out == 0 {
        return empty(shape, out_dtype);
    }
    let dt = a.dtype();
    let (defines, acc) = reduce_defines(op, dt, out_dtype);
    let (inp, d) = ctx.ptr(a)?;
    let ash = a.shape();
    let (mut ks, mut kst, mut rs, mut rst) = (vec![], vec![], vec![], vec![]);
    for (i, &len) in ash.iter().enumerate() {
        if len == 1 {
            continue;
        }
        if axes.contains(&i) {
            rs.push(len);
            rst.push(d.strides[i]);
        } else {
            ks.push(len);
            kst.push(d.strides[i]);
        }
    }
    let (ks, kst) = collapse_dims(&ks, &[&kst]);
    let (rs, rst) = collapse_dims(&rs, &[&rst]);
    let (kst, rst) = (kst.into_iter().next().unwrap_or_default(), rst.into_iter().next().unwrap_or_default());
    let r_len = size_of(&rs) as i64;
    let (buf, out) = ctx.alloc(n_out * out_dtype.size())?;
    let kd = (dims(&to_i64(&ks))?, dims(&stride_i64(&kst))?);
    let rd = (dims(&to_i64(&rs))?, dims(&stride_i64(&rst))?);
    // Thread per output when the kept axis is the contiguous one (and there are
    // enough outputs to fill a warp), else a block or a warp per output.
    let col = r_len <= 16 || (n_out >= 32 && kst.last() == Some(&1) && rst.last().is_some_and(|&s| s != 1));
    let acc_size = match acc {
        "bool" => 1,
        "float" => 4,
        _ => dt.size(),
    };
    let sms = ctx.g.sm_count.max(1) as u64;
    if !col && rs.len() == 1 && rst[0] == 1 && n_out as u64 >= 8 * sms {
        // Many contiguous rows: a warp each.
        let blocks = (n_out as u64).div_ceil(8).min(1 << 30) as u32;
        let mut args = Args::new();
        args.arg(out).arg(inp).arg(n_out as i64).arg(r_len).arg(ks.len() as i32).arg(kd.0).arg(kd.1);
        let f = ctx.func(Family::Reduce, &defines, "red_row_warp")?;
        launch(f, &Launch { grid: (blocks, 1, 1), block: (256, 1, 1), shared: 0 }, ctx.s, &mut args)?;
    } else if !col {
        let threads = if r_len >= 4096 { 256 } else { (r_len as u64 / 8).next_power_of_two().clamp(32, 256) as u32 };
        // Few long rows: cut each into chunks so that every SM has blocks (and sums stay short).
        let want = 4 * ctx.g.sm_count as u64;
        let split = if (n_out as u64) < want && r_len >= 16384 {
            (want / n_out as u64).min(r_len as u64 / 4096).clamp(1, 4096)
        } else {
            1
        };
        let chunk = ((r_len as u64).div_ceil(split).div_ceil(16) * 16) as i64;
        let part = if split > 1 { Some(ctx.alloc(split as usize * n_out * acc_size)?) } else { None };
        let grid = (n_out as u64 * split).min(1 << 30) as u32;
        let mut args = Args::new();
        args.arg(out).arg(part.as_ref().map(|p| p.1).unwrap_or(0)).arg(inp).arg(n_out as i64).arg(r_len).arg(chunk);
        args.arg(split as i32).arg(ks.len() as i32).arg(kd.0).arg(kd.1).arg(rs.len() as i32).arg(rd.0).arg(rd.1);
        let f = ctx.func(Family::Reduce, &defines, "red_row")?;
        launch(f, &Launch { grid: (grid, 1, 1), block: (threads, 1, 1), shared: 0 }, ctx.s, &mut args)?;
        if let Some((_, p)) = &part {
            let mut args = Args::new();
            args.arg(out).arg(*p).arg(n_out as i64).arg(split as i32);
            let f = ctx.func(Family::Reduce, &defines, "red_final")?;
            launch(f, &Launch::linear(n_out as u64, 256)?, ctx.s, &mut args)?;
        }
    } else {
        // V adjacent outputs per thread through 16-byte loads when the layout allows.
        let v = (16 / dt.size()).max(1);
        let vec_ok = v > 1
            && ks.len() == 1
            && kst[0] == 1
            && n_out.is_multiple_of(v)
            && inp.is_multiple_of(16)
            && rst.iter().all(|&s| s.rem_euclid(v as isize) == 0);
        let v = if vec_ok { v } else { 1 };
        let blocks = ((n_out / v) as u64).div_ceil(256);
        // Blocks per SM wanted (RMLX_COL_WANT to tune; 4 measured best on the
        // H200: 3996 GB/s against 3754 with 8 and 3543 with 16, 22:16 run).
        let want = crate::knobs::knobs().col_want * sms;
        let split =
            if blocks < want && r_len > 256 { (want / blocks).min(r_len as u64 / 64).clamp(1, 1024) } else { 1 };
        let chunk = (r_len as u64).div_ceil(split) as i64;
        let part = if split > 1 { Some(ctx.alloc(split as usize * n_out * acc_size)?) } else { None };
        let mut args = Args::new();
        args.arg(out).arg(part.as_ref().map(|p| p.1).unwrap_or(0)).arg(inp).arg(n_out as i64).arg(r_len).arg(chunk);
        args.arg(ks.len() as i32).arg(kd.0).arg(kd.1).arg(rs.len() as i32).arg(rd.0).arg(rd.1);
        let l = Launch { grid: (blocks as u32, split as u32, 1), block: (256, 1, 1), shared: 0 };
        if vec_ok {
            let mut args = Args::new();
            args.arg(out).arg(part.as_ref().map(|p| p.1).unwrap_or(0)).arg(inp).arg(n_out as i64).arg(r_len);
            args.arg(chunk).arg(rs.len() as i32).arg(rd.0).arg(rd.1);
            let f = ctx.func(Family::Reduce, &defines, "red_col_vec")?;
            launch(f, &l, ctx.s, &mut args)?;
        } else {
            let f = ctx.func(Family::Reduce, &defines, "red_col")?;
            launch(f, &l, ctx.s, &mut args)?;
        }
        if let Some((_, p)) = &part {
            let mut args = Args::new();
            args.arg(out).arg(*p).arg(n_out as i64).arg(split as i32);
            let f = ctx.func(Family::Reduce, &defines, "red_final")?;
            launch(f, &Launch::linear(n_out as u64, 256)?, ctx.s, &mut args)?;
        }
    }
    Ok(Data::contiguous_arc(buf, shape))
}

pub(super) fn arg_reduce(ctx: &Ctx, op: ArgReduceOp, a: &Array, axis: usize, shape: &[usize]) -> Result<Data> {
    let rows = size_of(shape);
    if rows == 0 {
        return empty(shape, Dtype::Uint32);
    }
    let (inp, d) = ctx.ptr(a)?;
    let len = a.shape()[axis] as i64;
    let astride = d.strides[axis] as i64;
    let os: Vec<usize> = a.shape().iter().enumerate().filter(|&(i, _)| i != axis).map(|(_, &n)| n).collect();
    let ost: Vec<isize> = d.strides.iter().enumerate().filter(|&(i, _)| i != axis).map(|(_, &s)| s).collect();
    let (os, ost) = collapse_dims(&os, &[&ost]);
    let ost = ost.into_iter().next().unwrap_or_default();
    let (buf, out) = ctx.alloc(rows * 4)?;
    let defines = format!("typedef {} T;\n#define ROWS_ARG 1", ctype(a.dtype()));
    let threads = if len >= 1024 { 256 } else { 32 };
    let mut args = Args::new();
    args.arg(out).arg(inp).arg(rows as i64).arg(len).arg(astride).arg((op == ArgReduceOp::ArgMax) as i32);
    args.arg(os.len() as i32).arg(dims(&to_i64(&os))?).arg(dims(&stride_i64(&ost))?);
    let f = ctx.func(Family::Rows, &defines, "arg_reduce")?;
    let l = Launch { grid: ((rows as u64).min(1 << 30) as u32, 1, 1), block: (threads, 1, 1), shared: 0 };
    launch(f, &l, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, shape))
}

/// Runs a row kernel (`softmax_rows`, `logsumexp_rows`, `median_rows`) over the last axis.
pub(super) fn rows_op(ctx: &Ctx, a: &Array, name: &'static str, out_len_is_one: bool, extra: &[i32]) -> Result<Data> {
    let dt = a.dtype();
    if !dt.is_float() {
        return Err(Error::dtype_unsupported(name, dt));
    }
    let len = a.shape().last().copied().unwrap_or(1);
    let rows: usize = if a.ndim() == 0 { 1 } else { a.shape()[..a.ndim() - 1].iter().product() };
    let out_shape: Vec<usize> = if out_len_is_one && a.ndim() > 0 {
        let mut s = a.shape().to_vec();
        s[a.ndim() - 1] = 1;
        s
    } else {
        a.shape().to_vec()
    };
    let out_n = if out_len_is_one { rows } else { rows * len };
    if out_n == 0 {
        return empty(&out_shape, dt);
    }
    let d = contiguous(ctx, a)?;
    let inp = d.buf.device_ptr(ctx.g.index, ctx.s)? + (d.offset * dt.size()) as u64;
    let (buf, out) = ctx.alloc(out_n * dt.size())?;
    let vw = 16 / dt.size();
    let nv = if dt == Dtype::Float64 { 16 } else { 64 / vw };
    let defines = format!("typedef {} T;\n#define NV {nv}", ctype(dt));
    let threads = if name == "softmax_rows" {
        (len.div_ceil(nv * vw) as u64).next_power_of_two().clamp(32, 512) as u32
    } else {
        256
    };
    // Long float32/16-bit rows: a thread-block cluster per row (sm_90 and later).
    if name == "softmax_rows" && dt != Dtype::Float64 && len > 256 * 32 && ctx.g.cc.0 >= 9 && inp.is_multiple_of(16) {
        // The most pieces that divide the row: smaller blocks, more rows in
        // flight per SM (on the H100, 4096 x 32768 float32 ran at 2205 GB/s
        // in 8 pieces, 2040 in 4).
        let forced = crate::knobs::knobs().softmax_p as usize;
        let p = [8usize, 4, 2]
            .into_iter()
            .filter(|&p| forced == 0 || p == forced)
            .find(|&p| len <= p * 256 * 32 && len.is_multiple_of(p * vw));
        if let Some((p, grid)) = p.and_then(|p| u32::try_from(rows * p).ok().map(|g| (p, g))) {
            // 32 elements a thread.
            let threads = ((len / p).div_ceil(32).next_multiple_of(32)).clamp(32, 256) as u32;
            let kernel = match p {
                2 => "softmax_c2",
                4 => "softmax_c4",
                _ => "softmax_c8",
            };
            let mut args = Args::new();
            args.arg(out).arg(inp).arg(len as i64);
            for &e in extra {
                args.arg(e);
            }
            let f = ctx.func(Family::Rows, &defines, kernel)?;
            launch(f, &Launch { grid: (grid, 1, 1), block: (threads, 1, 1), shared: 0 }, ctx.s, &mut args)?;
            return Ok(Data::contiguous_arc(buf, &out_shape));
        }
    }
    let mut args = Args::new();
    args.arg(out).arg(inp).arg(rows as i64).arg(len as i64);
    for &e in extra {
        args.arg(e);
    }
    let f = ctx.func(Family::Rows, &defines, name)?;
    let l = Launch { grid: ((rows as u64).min(1 << 30) as u32, 1, 1), block: (threads, 1, 1), shared: 0 };
    launch(f, &l, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, &out_shape))
}
