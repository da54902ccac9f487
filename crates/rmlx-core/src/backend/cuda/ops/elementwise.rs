//! Elementwise programs: the general map over up to three inputs (contiguous and
//! vectorised, or strided over merged dimensions), the C expression of each
//! unary and binary op, casts, copies, arange and view.

use super::*;

/// An elementwise map of up to three inputs into a fresh row-major output.
pub(super) fn map(ctx: &Ctx, expr: &str, inputs: &[&Array], out_dtype: Dtype, shape: &[usize]) -> Result<Data> {
    let n = size_of(shape);
    if n == 0 {
        return empty(shape, out_dtype);
    }
    let (buf, out) = ctx.alloc(n * out_dtype.size())?;
    map_into(ctx, expr, inputs, out_dtype, shape, out, &row_major_strides(shape))?;
    Ok(Data { buf, strides: row_major_strides(shape), offset: 0 })
}

pub(super) struct In {
    ptr: u64,
    mode: i32,
    imm: Imm,
    strides: Vec<isize>,
    dtype: Dtype,
}

pub(super) fn map_defines(expr: &str, out: Dtype, ins: [Dtype; 3]) -> (String, usize, u64) {
    let max_size = ins.iter().map(|d| d.size()).chain([out.size()]).max().unwrap_or(1);
    let vw = (16 / max_size).max(1);
    // Vectors per thread: 1 measured best on the H200 (RMLX_EW_U to tune).
    let u = crate::knobs::knobs().ew_u;
    let defines = format!(
        "typedef {} TO; typedef {} TI0; typedef {} TI1; typedef {} TI2;\n#define VW {vw}\n#define EW_U {}\n#define OP(x0, x1, x2) ({expr})",
        ctype(out),
        ctype(ins[0]),
        ctype(ins[1]),
        ctype(ins[2]),
        u
    );
    (defines, vw, u)
}

/// The map, writing through `out_strides` (elements) from `out`.
pub(super) fn map_into(
    ctx: &Ctx,
    expr: &str,
    inputs: &[&Array],
    out_dtype: Dtype,
    shape: &[usize],
    out: u64,
    out_strides: &[isize],
) -> Result<()> {
    let n = size_of(shape);
    if n == 0 {
        return Ok(());
    }
    let mut ins: Vec<In> = Vec::with_capacity(3);
    for a in inputs {
        let d = a.data()?;
        let strides = crate::shape::broadcast_strides(a.shape(), &d.strides, shape);
        let dt = a.dtype();
        let broadcast = strides.iter().all(|&s| s == 0);
        // A single value that lives on the host is passed by value: no copy to the device.
        if broadcast && d.buf.device_index() != Some(ctx.g.index) && d.buf.is_on_host() {
            let mut imm = Imm::default();
            let bytes = dt.size();
            // SAFETY: the host copy holds the element at `offset`; Imm holds 16 bytes >= any dtype.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    d.buf.as_ptr().add(d.offset * bytes),
                    imm.w.as_mut_ptr() as *mut u8,
                    bytes,
                )
            };
            ins.push(In { ptr: 0, mode: 2, imm, strides, dtype: dt });
            continue;
        }
        let (p, _) = ctx.ptr(a)?;
        ins.push(In { ptr: p, mode: if broadcast { 1 } else { 0 }, imm: Imm::default(), strides, dtype: dt });
    }
    while ins.len() < 3 {
        let dt = ins.first().map(|i| i.dtype).unwrap_or(out_dtype);
        ins.push(In { ptr: 0, mode: 2, imm: Imm::default(), strides: vec![0; shape.len()], dtype: dt });
    }
    let (defines, vw, u) = map_defines(expr, out_dtype, [ins[0].dtype, ins[1].dtype, ins[2].dtype]);
    let row = row_major_strides(shape);
    let out_dense = out_strides == row.as_slice();
    let dense = out_dense && ins.iter().all(|i| i.mode != 0 || i.strides == row);
    let mut args = Args::new();
    args.arg(out);
    for i in &ins {
        args.arg(i.ptr).arg(i.mode).arg(i.imm);
    }
    args.arg(n as i64);
    if dense {
        let aligned = |p: u64, size: usize| p.is_multiple_of((vw * size) as u64);
        let vec_ok = vw > 1
            && aligned(out, out_dtype.size())
            && ins.iter().all(|i| i.mode != 0 || aligned(i.ptr, i.dtype.size()));
        if vec_ok {
            let f = ctx.func(Family::Elementwise, &defines, "ew_vec")?;
            let l = Launch::linear((n as u64).div_ceil(u * vw as u64), 256)?;
            return launch(f, &l, ctx.s, &mut args);
        }
        let f = ctx.func(Family::Elementwise, &defines, "ew_contig")?;
        return launch(f, &Launch::linear(n as u64, 256)?, ctx.s, &mut args);
    }
    let all: Vec<&[isize]> = std::iter::once(out_strides).chain(ins.iter().map(|i| i.strides.as_slice())).collect();
    let (cshape, cstrides) = collapse_dims(shape, &all);
    // Two merged dimensions with every input contiguous along the row or one
    // value per row (a bias or mask broadcast): a row kernel, vectors when the
    // layout allows.
    if out_dense
        && cshape.len() == 2
        && ins.iter().zip(&cstrides[1..]).all(|(i, s)| i.mode != 0 || s[1] == 0 || s[1] == 1)
    {
        let (rows, cols) = (cshape[0], cshape[1]);
        let vec_ok = vw > 1
            && cols.is_multiple_of(vw)
            && out.is_multiple_of((vw * out_dtype.size()) as u64)
            && ins.iter().zip(&cstrides[1..]).all(|(i, s)| {
                i.mode != 0
                    || s[1] == 0
                    || ((s[0] as usize).is_multiple_of(vw) && i.ptr.is_multiple_of((vw * i.dtype.size()) as u64))
            });
        args.arg(cols as i64);
        for s in &cstrides[1..] {
            args.arg(s[0] as i64).arg(s[1] as i64);
        }
        args.arg(vec_ok as i32);
        let f = ctx.func(Family::Elementwise, &defines, "ew_rows")?;
        let threads = rows as u64 * (cols as u64).div_ceil(vw as u64);
        return launch(f, &Launch::linear(threads, 256)?, ctx.s, &mut args);
    }
    args.arg(cshape.len() as i32).arg(dims(&to_i64(&cshape))?);
    for s in &cstrides {
        args.arg(dims(&stride_i64(s))?);
    }
    let f = ctx.func(Family::Elementwise, &defines, "ew_strided")?;
    launch(f, &Launch::linear(n as u64, 256)?, ctx.s, &mut args)
}

/// A row-major copy of `a` (its own data when already so).
pub(crate) fn contiguous(ctx: &Ctx, a: &Array) -> Result<Data> {
    let d = a.data()?;
    if is_row_contiguous(a.shape(), &d.strides) {
        return Ok(d);
    }
    map(ctx, "x0", &[a], a.dtype(), a.shape())
}

pub(super) fn real_fn(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Exp => "fexp(x)",
        Expm1 => "expm1(x)",
        Log => "log(x)",
        Log2 => "log2(x)",
        Log10 => "log10(x)",
        Log1p => "log1p(x)",
        Sqrt => "sqrt(x)",
        Rsqrt => "(C)1 / sqrt(x)",
        Reciprocal => "(C)1 / x",
        Sin => "sin(x)",
        Cos => "cos(x)",
        Tan => "tan(x)",
        Arcsin => "asin(x)",
        Arccos => "acos(x)",
        Arctan => "atan(x)",
        Sinh => "sinh(x)",
        Cosh => "cosh(x)",
        Tanh => "tanh(x)",
        Arcsinh => "asinh(x)",
        Arccosh => "acosh(x)",
        Arctanh => "atanh(x)",
        Erf => "erf(x)",
        Erfinv => "(C)erfinv_d((double)x)",
        Sigmoid => "(C)1 / ((C)1 + fexp(-x))",
        Floor => "floor(x)",
        Ceil => "ceil(x)",
        Trunc => "trunc(x)",
        Round => "round_he(x)",
        // Written in unary_expr for every dtype, or not float math.
        Abs | Sign | Negative | Square | Real | Imag | Conj | IsNan | IsInf | IsPosInf | IsNegInf | IsFinite
        | LogicalNot | BitwiseInvert => return None,
    })
}

pub(super) fn complex_fn(op: UnaryOp) -> Option<(&'static str, Dtype)> {
    use UnaryOp::*;
    let z = Dtype::Complex64;
    Some(match op {
        Exp => ("cexp(x0)", z),
        Expm1 => ("csub(cexp(x0), cone())", z),
        Log => ("clog(x0)", z),
        Log2 => ("cdivs(clog(x0), 0.6931471805599453f)", z),
        Log10 => ("cdivs(clog(x0), 2.302585092994046f)", z),
        Log1p => ("clog(cadd(x0, cone()))", z),
        Sqrt => ("csqrt(x0)", z),
        Rsqrt => ("cdiv(cone(), csqrt(x0))", z),
        Reciprocal => ("cdiv(cone(), x0)", z),
        Sin => ("csin(x0)", z),
        Cos => ("ccos(x0)", z),
        Tan => ("ctan(x0)", z),
        Arcsin => ("casin(x0)", z),
        Arccos => ("cacos(x0)", z),
        Arctan => ("catan(x0)", z),
        Sinh => ("csinh(x0)", z),
        Cosh => ("ccosh(x0)", z),
        Tanh => ("ctanh(x0)", z),
        Arcsinh => ("casinh(x0)", z),
        Arccosh => ("cacosh(x0)", z),
        Arctanh => ("catanh(x0)", z),
        Sigmoid => ("cdiv(cone(), cadd(cone(), cexp(cneg(x0))))", z),
        Conj => ("c64{x0.re, -x0.im}", z),
        Abs => ("cnorm(x0)", Dtype::Float32),
        Real => ("x0.re", Dtype::Float32),
        Imag => ("x0.im", Dtype::Float32),
        IsNan => ("(isnan(x0.re) || isnan(x0.im))", Dtype::Bool),
        IsInf => ("(isinf(x0.re) || isinf(x0.im))", Dtype::Bool),
        IsFinite => ("(isfinite(x0.re) && isfinite(x0.im))", Dtype::Bool),
        // Written in unary_expr for every dtype, or not defined for complex.
        Sign | Negative | Square | Erf | Erfinv | Floor | Ceil | Round | Trunc | IsPosInf | IsNegInf | LogicalNot
        | BitwiseInvert => return None,
    })
}

pub(crate) fn unary_expr(op: UnaryOp, dt: Dtype) -> Result<String> {
    let t = ctype(dt);
    let unsupported = || Error::Dtype(format!("{op:?}: dtype {dt} is not supported"));
    Ok(match op {
        UnaryOp::Abs if dt != Dtype::Complex64 => "op_abs(x0)".into(),
        UnaryOp::Negative => "op_neg(x0)".into(),
        UnaryOp::Sign => "op_sign(x0)".into(),
        UnaryOp::Square => "op_square(x0)".into(),
        UnaryOp::LogicalNot => "!nonzero(x0)".into(),
        UnaryOp::BitwiseInvert => "op_invert(x0)".into(),
        UnaryOp::IsNan if dt.is_float() => "isnan(up(x0))".into(),
        UnaryOp::IsInf if dt.is_float() => "isinf(up(x0))".into(),
        UnaryOp::IsFinite if dt.is_float() => "isfinite(up(x0))".into(),
        UnaryOp::IsPosInf if dt.is_float() => "(isinf(up(x0)) && up(x0) > 0)".into(),
        UnaryOp::IsNegInf if dt.is_float() => "(isinf(up(x0)) && up(x0) < 0)".into(),
        _ if dt == Dtype::Complex64 => complex_fn(op).ok_or_else(unsupported)?.0.into(),
        _ if dt.is_float() => {
            let f = real_fn(op).ok_or_else(unsupported)?;
            // 16-bit results: the fast exp (a few float32 ulp) is exact enough, and exp-heavy
            // maps of 16-bit data would otherwise be bound by arithmetic, not memory.
            let f = if dt.size() == 2 { f.replace("fexp(", "exp_fast16(") } else { f.to_string() };
            // Math runs in C (float32, or float64 for float64); erfinv of 16-bit floats rounds through float32 as the CPU does.
            format!("[&]() {{ typedef compute_of<{t}>::t C; C x = up(x0); return down<{t}>((C)({f})); }}()")
        }
        _ => return Err(unsupported()),
    })
}

pub(super) fn unary(ctx: &Ctx, op: UnaryOp, a: &Array, shape: &[usize], out: Dtype) -> Result<Data> {
    let expr = unary_expr(op, a.dtype())?;
    map(ctx, &expr, &[a], out, shape)
}

pub(crate) fn binary_expr(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Add => "op_add(x0, x1)",
        Subtract => "op_sub(x0, x1)",
        Multiply => "op_mul(x0, x1)",
        Divide => "op_div(x0, x1)",
        FloorDivide => "op_floordiv(x0, x1)",
        Remainder => "op_rem(x0, x1)",
        Power => "op_pow(x0, x1)",
        Maximum => "op_max(x0, x1)",
        Minimum => "op_min(x0, x1)",
        LogAddExp => "op_logaddexp(x0, x1)",
        Arctan2 => "op_atan2(x0, x1)",
        Equal => "eq(x0, x1)",
        NotEqual => "!eq(x0, x1)",
        Less => "lt(x0, x1)",
        LessEqual => "(lt(x0, x1) || eq(x0, x1))",
        Greater => "lt(x1, x0)",
        GreaterEqual => "(lt(x1, x0) || eq(x0, x1))",
        LogicalAnd => "(nonzero(x0) && nonzero(x1))",
        LogicalOr => "(nonzero(x0) || nonzero(x1))",
        BitwiseAnd => "op_band(x0, x1)",
        BitwiseOr => "op_bor(x0, x1)",
        BitwiseXor => "op_bxor(x0, x1)",
        LeftShift => "op_shl(x0, x1)",
        RightShift => "op_shr(x0, x1)",
    }
}

pub(super) fn binary(ctx: &Ctx, op: BinaryOp, a: &Array, b: &Array, shape: &[usize], out: Dtype) -> Result<Data> {
    let dt = a.dtype();
    if matches!(op, BinaryOp::LogAddExp | BinaryOp::Arctan2) && !dt.is_float() {
        return Err(Error::Dtype(format!("{op:?}: dtype {dt} is not supported")));
    }
    map(ctx, binary_expr(op), &[a, b], out, shape)
}

pub(super) fn arange(ctx: &Ctx, start: f64, step: f64, n: usize, dtype: Dtype) -> Result<Data> {
    if n == 0 {
        return empty(&[0], dtype);
    }
    let (buf, out) = ctx.alloc(n * dtype.size())?;
    let defines = copy_defines(dtype);
    let mut args = Args::new();
    args.arg(out).arg(start).arg(step).arg(n as i64);
    let f = ctx.func(Family::Elementwise, &defines, "ew_arange")?;
    launch(f, &Launch::linear(n as u64, 256)?, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, &[n]))
}

pub(super) fn view(ctx: &Ctx, a: &Array, to: Dtype, shape: &[usize]) -> Result<Data> {
    let mut d = contiguous(ctx, a)?;
    let from = a.dtype().size();
    let byte_offset = d.offset * from;
    if !byte_offset.is_multiple_of(to.size()) {
        let bytes = a.nbytes();
        let (buf, out) = ctx.alloc(bytes)?;
        let src = d.buf.device_ptr(ctx.g.index, ctx.s)? + byte_offset as u64;
        // SAFETY: both ranges hold `bytes` bytes on this device.
        crate::backend::cuda::driver::check(
            unsafe { cudarc::driver::sys::cuMemcpyDtoDAsync_v2(out, src, bytes, ctx.s.0) },
            "cuMemcpyDtoDAsync",
        )?;
        d = Data { buf, strides: row_major_strides(a.shape()), offset: 0 };
    }
    let offset = d.offset * from / to.size();
    Ok(Data { buf: d.buf, strides: row_major_strides(shape), offset })
}
