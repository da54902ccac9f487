//! The host side of each primitive on a GPU: picks a kernel and its layout
//! (contiguous and vectorised, or strided over merged dimensions), fills in
//! its arguments and enqueues it on the node's stream.

use super::blaslt;
use super::driver::{DeviceCopy, Gpu, RawStream};
use super::jit::{function, launch, Args, Family, Knob, Launch};
use crate::array::{Array, Data};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::primitive::{ArgReduceOp, BinaryOp, PadMode, Primitive, ReduceOp, ScanOp, ScatterMode, UnaryOp};
use crate::shape::{collapse_dims, is_row_contiguous, row_major_strides, size_of};
use std::sync::Arc;

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
        let p = copy.ptr();
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

// ------------------------------------------------------------------ elementwise

/// An elementwise map of up to three inputs into a fresh row-major output.
fn map(ctx: &Ctx, expr: &str, inputs: &[&Array], out_dtype: Dtype, shape: &[usize]) -> Result<Data> {
    let n = size_of(shape);
    if n == 0 {
        return empty(shape, out_dtype);
    }
    let (buf, out) = ctx.alloc(n * out_dtype.size())?;
    map_into(ctx, expr, inputs, out_dtype, shape, out, &row_major_strides(shape))?;
    Ok(Data { buf, strides: row_major_strides(shape), offset: 0 })
}

struct In {
    ptr: u64,
    mode: i32,
    imm: Imm,
    strides: Vec<isize>,
    dtype: Dtype,
}

fn map_defines(expr: &str, out: Dtype, ins: [Dtype; 3]) -> (String, usize, u64) {
    let max_size = ins.iter().map(|d| d.size()).chain([out.size()]).max().unwrap_or(1);
    let vw = (16 / max_size).max(1);
    // Vectors per thread: 1 measured best on the H200 (RMLX_EW_U to tune).
    let u = EW_U.get();
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
fn map_into(
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

/// Tuning knobs (see the README); defaults measured best on the H200.
static EW_U: Knob = Knob::new("RMLX_EW_U", 1);
static COL_WANT: Knob = Knob::new("RMLX_COL_WANT", 4);
static GEMV: Knob = Knob::new("RMLX_GEMV", 1);
/// Pieces per row in the cluster softmax (2, 4 or 8; 0: the most that divide the row).
static SOFTMAX_P: Knob = Knob::new("RMLX_SOFTMAX_P", 0);

/// Defines of an elementwise program that only moves elements of `dtype`
/// (`ew_pad`, `ew_arange`, `ew_take`, `ew_scatter`).
fn copy_defines(dtype: Dtype) -> String {
    format!(
        "typedef {t} TO; typedef {t} TI0; typedef {t} TI1; typedef {t} TI2;\n#define OP(x0, x1, x2) (x0)",
        t = ctype(dtype)
    )
}

/// A row-major copy of `a` (its own data when already so).
pub(crate) fn contiguous(ctx: &Ctx, a: &Array) -> Result<Data> {
    let d = a.data()?;
    if is_row_contiguous(a.shape(), &d.strides) {
        return Ok(d);
    }
    map(ctx, "x0", &[a], a.dtype(), a.shape())
}

fn real_fn(op: UnaryOp) -> Option<&'static str> {
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
        _ => return None,
    })
}

fn complex_fn(op: UnaryOp) -> Option<(&'static str, Dtype)> {
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
        _ => return None,
    })
}

pub(super) fn unary_expr(op: UnaryOp, dt: Dtype) -> Result<String> {
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

fn unary(ctx: &Ctx, op: UnaryOp, a: &Array, shape: &[usize], out: Dtype) -> Result<Data> {
    let expr = unary_expr(op, a.dtype())?;
    map(ctx, &expr, &[a], out, shape)
}

pub(super) fn binary_expr(op: BinaryOp) -> &'static str {
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

fn binary(ctx: &Ctx, op: BinaryOp, a: &Array, b: &Array, shape: &[usize], out: Dtype) -> Result<Data> {
    let dt = a.dtype();
    if matches!(op, BinaryOp::LogAddExp | BinaryOp::Arctan2) && !dt.is_float() {
        return Err(Error::Dtype(format!("{op:?}: dtype {dt} is not supported")));
    }
    map(ctx, binary_expr(op), &[a, b], out, shape)
}

// ------------------------------------------------------------------ reductions

fn reduce_defines(op: ReduceOp, dt: Dtype, out_dtype: Dtype) -> (String, &'static str) {
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

fn reduce(ctx: &Ctx, op: ReduceOp, a: &Array, axes: &[usize], shape: &[usize], out_dtype: Dtype) -> Result<Data> {
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
        let want = COL_WANT.get() * sms;
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

fn arg_reduce(ctx: &Ctx, op: ArgReduceOp, a: &Array, axis: usize, shape: &[usize]) -> Result<Data> {
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
fn rows_op(ctx: &Ctx, a: &Array, name: &'static str, out_len_is_one: bool, extra: &[i32]) -> Result<Data> {
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
        let forced = SOFTMAX_P.get() as usize;
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

// ------------------------------------------------------------------ matmul

/// (pointer, leading dimension, transposed, batch stride) of the last two axes
/// of `a` as a matrix, after a copy if no single leading dimension fits.
fn matrix_operand(ctx: &Ctx, a: &Array) -> Result<(u64, usize, bool, i64, Option<Data>)> {
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

fn matmul(ctx: &Ctx, a: &Array, b: &Array, shape: &[usize], dtype: Dtype) -> Result<Data> {
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
        super::driver::check(
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
fn conv(
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
    let ops = super::cudnn::Operands { x: px, w: pw, y: out };
    super::cudnn::forward(ctx.g.index, ctx.s, dtype, x.shape(), w.shape(), spec, shape, &ops, |bytes| {
        ctx.alloc(bytes)
    })?;
    Ok(Data::contiguous_arc(buf, shape))
}

// ------------------------------------------------------------------ layout

fn concatenate(ctx: &Ctx, inputs: &[Array], axis: usize, shape: &[usize], dtype: Dtype) -> Result<Data> {
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

fn pad(ctx: &Ctx, inputs: &[Array], low: &[usize], mode: PadMode, shape: &[usize]) -> Result<Data> {
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

fn take(ctx: &Ctx, a: &Array, indices: &Array, axis: usize, shape: &[usize]) -> Result<Data> {
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

/// Threefry random bits (the layout of backend/cpu/random.rs).
fn random_bits(ctx: &Ctx, keys: &Array, width: usize, shape: &[usize]) -> Result<Data> {
    random_words(ctx, keys, width, shape, "ew_random_bits")
}

/// Float32 normals from the words of `random_bits(keys, 4, shape)`.
fn random_normal(ctx: &Ctx, keys: &Array, shape: &[usize]) -> Result<Data> {
    random_words(ctx, keys, 4, shape, "ew_random_normal")
}

fn random_words(ctx: &Ctx, keys: &Array, width: usize, shape: &[usize], kernel: &'static str) -> Result<Data> {
    let total = size_of(shape) * width;
    let nkeys = keys.size() / 2;
    let dtype = match width {
        1 => Dtype::Uint8,
        2 => Dtype::Uint16,
        _ => Dtype::Uint32,
    };
    if total == 0 || nkeys == 0 {
        return empty(shape, dtype);
    }
    if !total.is_multiple_of(nkeys) {
        return Err(Error::Runtime(format!("internal: {total} random bytes do not split over {nkeys} keys")));
    }
    let per_key = total / nkeys;
    let words = per_key.div_ceil(4);
    let (half, odd) = (words / 2, words % 2);
    let dk = contiguous(ctx, keys)?;
    let kp = dk.buf.device_ptr(ctx.g.index, ctx.s)? + (dk.offset * 4) as u64;
    let (buf, out) = ctx.alloc(total)?;
    let mut args = Args::new();
    args.arg(out).arg(kp).arg(nkeys as i64).arg(per_key as i64).arg(half as i64).arg(odd as i64);
    let f = ctx.func(Family::Elementwise, &copy_defines(Dtype::Uint32), kernel)?;
    launch(f, &Launch::linear((nkeys * (half + odd)) as u64, 256)?, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, shape))
}

fn scatter(ctx: &Ctx, a: &Array, indices: &Array, updates: &Array, mode: ScatterMode) -> Result<Data> {
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
        let f = ctx.func(Family::Elementwise, &defines, "ew_scatter")?;
        launch(f, &grid_for(m as u64), ctx.s, &mut args)?;
    }
    Ok(Data::contiguous_arc(buf, a.shape()))
}

// ------------------------------------------------------------------ sort and scan

fn sort_defines(dt: Dtype) -> String {
    format!("typedef {} T;\n#define KEYBYTES {}", ctype(dt), dt.size())
}

/// Sorts the last axis (see kernels/sort.cu): a block per row up to 4096
/// elements, radix passes over tiles beyond.
fn sort(ctx: &Ctx, a: &Array, arg: bool, shape: &[usize]) -> Result<Data> {
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

fn search_sorted(ctx: &Ctx, a: &Array, v: &Array, right: bool) -> Result<Data> {
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

fn scan_defines(op: ScanOp, dt: Dtype) -> String {
    let code = match op {
        ScanOp::Sum => 0,
        ScanOp::Prod => 1,
        ScanOp::Max => 2,
        ScanOp::Min => 3,
        ScanOp::LogAddExp => 4,
    };
    format!("typedef {} T;\n#define OP {code}", ctype(dt))
}

fn scan(ctx: &Ctx, a: &Array, op: ScanOp, axis: usize, reverse: bool, inclusive: bool) -> Result<Data> {
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

fn mode_code(mode: ScatterMode) -> i32 {
    match mode {
        ScatterMode::Set => 0,
        ScatterMode::Add => 1,
        ScatterMode::Prod => 2,
        ScatterMode::Max => 3,
        ScatterMode::Min => 4,
    }
}

/// A grid-stride launch over `n` items: enough blocks to fill the GPU.
fn grid_for(n: u64) -> Launch {
    let blocks = n.div_ceil(256).clamp(1, 1 << 20) as u32;
    Launch { grid: (blocks, 1, 1), block: (256, 1, 1), shared: 0 }
}

/// `scatter_axis`: a row-major copy of `a`, then the update blocks, a
/// thread per element (atomics for the combining modes).
fn scatter_axis(
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
        let f = ctx.func(Family::Elementwise, &defines, "ew_scatter_axis_add_bf16x2")?;
        launch(f, &grid_for((total / 2) as u64), ctx.s, &mut args)?;
        return Ok(Data::contiguous_arc(buf, a.shape()));
    }
    let mut args = Args::new();
    args.arg(out).arg(idx).arg(upd).arg(total as i64).arg(m as i64).arg(n as i64).arg(inner.max(1) as i64);
    args.arg(mode_code(mode));
    let f = ctx.func(Family::Elementwise, &defines, "ew_scatter_axis")?;
    launch(f, &grid_for(total as u64), ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, a.shape()))
}

fn arange(ctx: &Ctx, start: f64, step: f64, n: usize, dtype: Dtype) -> Result<Data> {
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

fn view(ctx: &Ctx, a: &Array, to: Dtype, shape: &[usize]) -> Result<Data> {
    let mut d = contiguous(ctx, a)?;
    let from = a.dtype().size();
    let byte_offset = d.offset * from;
    if !byte_offset.is_multiple_of(to.size()) {
        let bytes = a.nbytes();
        let (buf, out) = ctx.alloc(bytes)?;
        let src = d.buf.device_ptr(ctx.g.index, ctx.s)? + byte_offset as u64;
        // SAFETY: both ranges hold `bytes` bytes on this device.
        super::driver::check(
            unsafe { cudarc::driver::sys::cuMemcpyDtoDAsync_v2(out, src, bytes, ctx.s.0) },
            "cuMemcpyDtoDAsync",
        )?;
        d = Data { buf, strides: row_major_strides(a.shape()), offset: 0 };
    }
    let offset = d.offset * from / to.size();
    Ok(Data { buf: d.buf, strides: row_major_strides(shape), offset })
}

/// Runs one node on the GPU.
pub(crate) fn eval(ctx: &Ctx, prim: &Primitive, inputs: &[Array], shape: &[usize], dtype: Dtype) -> Result<Vec<Data>> {
    use crate::backend::cpu::layout as views;
    let x = |i: usize| inputs.get(i).ok_or_else(|| Error::Runtime(format!("internal: {prim:?} is missing input {i}")));
    let one = |d: Result<Data>| d.map(|d| vec![d]);
    match prim {
        Primitive::Arange { start, step } => one(arange(ctx, *start, *step, shape[0], dtype)),
        Primitive::Unary(op) => one(unary(ctx, *op, x(0)?, shape, dtype)),
        Primitive::Binary(op) => one(binary(ctx, *op, x(0)?, x(1)?, shape, dtype)),
        Primitive::DivMod => {
            let (a, b) = (x(0)?, x(1)?);
            Ok(vec![
                binary(ctx, BinaryOp::FloorDivide, a, b, shape, dtype)?,
                binary(ctx, BinaryOp::Remainder, a, b, shape, dtype)?,
            ])
        }
        Primitive::Select => one(map(ctx, "(x0 ? x1 : x2)", &[x(0)?, x(1)?, x(2)?], dtype, shape)),
        Primitive::AsType(to) => {
            let expr = format!("(cast<{}, {}>(x0))", ctype(x(0)?.dtype()), ctype(*to));
            one(map(ctx, &expr, &[x(0)?], *to, shape))
        }
        Primitive::Reduce { op, axes } => one(reduce(ctx, *op, x(0)?, axes, shape, dtype)),
        Primitive::ArgReduce { op, axis } => one(arg_reduce(ctx, *op, x(0)?, *axis, shape)),
        Primitive::Softmax { log, precise } => {
            let round = !*precise && x(0)?.dtype().size() == 2;
            one(rows_op(ctx, x(0)?, "softmax_rows", false, &[*log as i32, round as i32]))
        }
        Primitive::LogSumExp => one(rows_op(ctx, x(0)?, "logsumexp_rows", true, &[])),
        Primitive::Median => one(rows_op(ctx, x(0)?, "median_rows", true, &[])),
        Primitive::Matmul => one(matmul(ctx, x(0)?, x(1)?, shape, dtype)),
        Primitive::Reshape => {
            let a = x(0)?;
            let d = a.data()?;
            if let Some(strides) = crate::shape::reshape_strides(a.shape(), &d.strides, shape) {
                return Ok(vec![Data { strides, ..d }]);
            }
            let c = contiguous(ctx, a)?;
            Ok(vec![Data { buf: c.buf, strides: row_major_strides(shape), offset: c.offset }])
        }
        Primitive::Transpose { perm } => one(views::transpose(x(0)?, perm)),
        Primitive::BroadcastTo => one(views::broadcast_to(x(0)?, shape)),
        Primitive::Slice { starts, steps } => one(views::slice(x(0)?, starts, steps, shape)),
        Primitive::AsStrided { strides, offset } => {
            let c = contiguous(ctx, x(0)?)?;
            Ok(vec![Data { buf: c.buf, strides: strides.clone(), offset: c.offset + offset }])
        }
        Primitive::Contiguous => one(contiguous(ctx, x(0)?)),
        Primitive::Copy => one(map(ctx, "x0", &[x(0)?], dtype, shape)),
        Primitive::StopGradient => Ok(vec![x(0)?.data()?]),
        Primitive::View(to) => one(view(ctx, x(0)?, *to, shape)),
        Primitive::Concatenate { axis } => one(concatenate(ctx, inputs, *axis, shape, dtype)),
        Primitive::Pad { low, mode, .. } => one(pad(ctx, inputs, low, *mode, shape)),
        Primitive::Take { axis } => one(take(ctx, x(0)?, x(1)?, *axis, shape)),
        Primitive::ScatterAxis { mode, axis } => one(scatter_axis(ctx, x(0)?, x(1)?, x(2)?, *mode, *axis)),
        Primitive::Sort { arg } => one(sort(ctx, x(0)?, *arg, shape)),
        Primitive::SearchSorted { right } => one(search_sorted(ctx, x(0)?, x(1)?, *right)),
        Primitive::Scan { op, axis, reverse, inclusive } => one(scan(ctx, x(0)?, *op, *axis, *reverse, *inclusive)),
        Primitive::RandomBits { width } => one(random_bits(ctx, x(0)?, *width, shape)),
        Primitive::RandomNormal => one(random_normal(ctx, x(0)?, shape)),
        Primitive::Scatter { mode } => one(scatter(ctx, x(0)?, x(1)?, x(2)?, *mode)),
        Primitive::Conv(spec) => one(conv(ctx, x(0)?, x(1)?, spec, shape, dtype)),
        // The wrapped function's results, passed on.
        Primitive::Custom(c) => inputs[c.n_primals.min(inputs.len())..].iter().map(|a| a.data()).collect(),
    }
}

/// Compiles a kernel of every family for every dtype and op (no GPU needed,
/// only NVRTC): a check that every specialisation builds. Returns how many.
#[doc(hidden)]
pub fn compile_all(arch: &str, mut progress: impl FnMut(&str)) -> Result<usize> {
    let all = [
        Dtype::Bool,
        Dtype::Uint8,
        Dtype::Uint16,
        Dtype::Uint32,
        Dtype::Uint64,
        Dtype::Int8,
        Dtype::Int16,
        Dtype::Int32,
        Dtype::Int64,
        Dtype::Float16,
        Dtype::Bfloat16,
        Dtype::Float32,
        Dtype::Float64,
        Dtype::Complex64,
    ];
    let mut n = 0;
    let mut build = |family: Family, defines: &str, what: &str| -> Result<()> {
        progress(what);
        super::jit::precompile(arch, family, defines, what)?;
        n += 1;
        Ok(())
    };
    use UnaryOp::*;
    let unary_ops = [
        Abs,
        Sign,
        Negative,
        Exp,
        Expm1,
        Log,
        Log2,
        Log10,
        Log1p,
        Sqrt,
        Rsqrt,
        Square,
        Reciprocal,
        Sin,
        Cos,
        Tan,
        Arcsin,
        Arccos,
        Arctan,
        Sinh,
        Cosh,
        Tanh,
        Arcsinh,
        Arccosh,
        Arctanh,
        Erf,
        Erfinv,
        Sigmoid,
        Floor,
        Ceil,
        Round,
        Trunc,
        Real,
        Imag,
        Conj,
        IsNan,
        IsInf,
        IsPosInf,
        IsNegInf,
        IsFinite,
        LogicalNot,
        BitwiseInvert,
    ];
    use BinaryOp::*;
    let binary_ops = [
        Add,
        Subtract,
        Multiply,
        Divide,
        FloorDivide,
        Remainder,
        Power,
        Maximum,
        Minimum,
        LogAddExp,
        Arctan2,
        Equal,
        NotEqual,
        Less,
        LessEqual,
        Greater,
        GreaterEqual,
        LogicalAnd,
        LogicalOr,
        BitwiseAnd,
        BitwiseOr,
        BitwiseXor,
        LeftShift,
        RightShift,
    ];
    for &dt in &all {
        // All unary and binary ops of one dtype in one program, as separate OP macros would clash:
        // compile a program per op, but only for the dtypes where the op applies.
        let mut exprs: Vec<(String, Dtype)> = Vec::new();
        for &op in &unary_ops {
            if let Ok(e) = unary_expr(op, dt) {
                let out = match op {
                    IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | LogicalNot => Dtype::Bool,
                    Abs | Real | Imag if dt == Dtype::Complex64 => Dtype::Float32,
                    _ => dt,
                };
                exprs.push((e, out));
            }
        }
        for &op in &binary_ops {
            if matches!(op, LogAddExp | Arctan2) && !dt.is_float() {
                continue;
            }
            exprs.push((binary_expr(op).to_string(), if op.is_comparison() { Dtype::Bool } else { dt }));
        }
        for (e, out) in exprs {
            let (defines, _, _) = map_defines(&e, out, [dt, dt, dt]);
            build(Family::Elementwise, &defines, &format!("{dt} {e}"))?;
        }
        for &to in &all {
            let e = format!("(cast<{}, {}>(x0))", ctype(dt), ctype(to));
            let (defines, _, _) = map_defines(&e, to, [dt, dt, dt]);
            build(Family::Elementwise, &defines, &format!("astype {dt} -> {to}"))?;
        }
        for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Min, ReduceOp::Max, ReduceOp::All] {
            let (defines, _) = reduce_defines(op, dt, if op == ReduceOp::All { Dtype::Bool } else { dt });
            build(Family::Reduce, &defines, &format!("reduce {op:?} {dt}"))?;
        }
        build(Family::Rows, &format!("typedef {} T;\n#define ROWS_ARG 1", ctype(dt)), &format!("argreduce {dt}"))?;
        if dt.is_float() {
            let nv = if dt == Dtype::Float64 { 16 } else { 64 / (16 / dt.size()) };
            build(Family::Rows, &format!("typedef {} T;\n#define NV {nv}", ctype(dt)), &format!("rows {dt}"))?;
        }
        build(Family::Matmul, &format!("typedef {} T;", ctype(dt)), &format!("matmul {dt}"))?;
        if matches!(dt, Dtype::Float32 | Dtype::Float16 | Dtype::Bfloat16) {
            build(Family::Matmul, &format!("typedef {} T;\n#define GEMV 1", ctype(dt)), &format!("gemv {dt}"))?;
        }
        build(Family::Sort, &sort_defines(dt), &format!("sort {dt}"))?;
        if dt == Dtype::Bool {
            for tv in ["w16", "w8", "w4"] {
                build(Family::Gather, &format!("#define TV {tv}"), &format!("take rows {tv}"))?;
            }
        }
        for op in [ScanOp::Sum, ScanOp::Prod, ScanOp::Max, ScanOp::Min, ScanOp::LogAddExp] {
            let ok = match op {
                ScanOp::Sum | ScanOp::Prod => dt != Dtype::Bool,
                ScanOp::Max | ScanOp::Min => dt != Dtype::Complex64,
                ScanOp::LogAddExp => dt.is_float(),
            };
            if ok {
                build(Family::Scan, &scan_defines(op, dt), &format!("scan {op:?} {dt}"))?;
            }
        }
        if dt.is_float() {
            build(Family::Chain, &super::chain::defines(dt, false)?, &format!("chain {dt}"))?;
            build(Family::Chain, &super::chain::defines(dt, true)?, &format!("light chain {dt}"))?;
        }
    }
    Ok(n)
}
