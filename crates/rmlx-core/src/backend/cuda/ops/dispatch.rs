//! From a primitive to the family that runs it, and the compile-everything
//! check of every specialisation.

use super::*;

/// Runs one node on the GPU.
pub(crate) fn eval(ctx: &Ctx, prim: &Primitive, inputs: &[Array], shape: &[usize], dtype: Dtype) -> Result<Vec<Data>> {
    use crate::backend::views;
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
        Primitive::Reshape => one(views::reshape(x(0)?, shape, |a| contiguous(ctx, a))),
        Primitive::Transpose { perm } => one(views::transpose(x(0)?, perm)),
        Primitive::BroadcastTo => one(views::broadcast_to(x(0)?, shape)),
        Primitive::Slice { starts, steps } => one(views::slice(x(0)?, starts, steps, shape)),
        Primitive::AsStrided { strides, offset } => {
            one(views::as_strided(x(0)?, strides, *offset, |a| contiguous(ctx, a)))
        }
        Primitive::Contiguous => one(contiguous(ctx, x(0)?)),
        Primitive::Copy => one(map(ctx, "x0", &[x(0)?], dtype, shape)),
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
        Primitive::StopGradient | Primitive::Custom(_) => Err(crate::backend::not_a_kernel(prim)),
    }
}

/// Compiles a kernel of every family for every dtype and op (no GPU needed,
/// only NVRTC): a check that every specialisation builds. Returns how many.
#[doc(hidden)]
pub fn compile_all(arch: &str, mut progress: impl FnMut(&str)) -> Result<usize> {
    let all = crate::dtype::ALL_DTYPES;
    let mut n = 0;
    let mut build = |family: Family, defines: &str, what: &str| -> Result<()> {
        progress(what);
        crate::backend::cuda::jit::precompile(arch, family, defines, what)?;
        n += 1;
        Ok(())
    };
    for &dt in &all {
        // All unary and binary ops of one dtype in one program, as separate OP macros would clash:
        // compile a program per op, but only for the dtypes where the op applies.
        let mut exprs: Vec<(String, Dtype)> = Vec::new();
        for &op in UnaryOp::ALL {
            if let Ok(e) = unary_expr(op, dt) {
                exprs.push((e, op.kernel_dtype(dt)));
            }
        }
        for &op in BinaryOp::ALL {
            if matches!(op, BinaryOp::LogAddExp | BinaryOp::Arctan2) && !dt.is_float() {
                continue;
            }
            exprs.push((binary_expr(op).to_string(), if op.is_comparison() { Dtype::Bool } else { dt }));
        }
        for (e, out) in exprs {
            let (defines, _, _) = map_defines(&e, out, [dt, dt, dt]);
            build(Family::Elementwise, &defines, &format!("{dt} {e}"))?;
        }
        build(Family::Scatter, &copy_defines(dt), &format!("scatter {dt}"))?;
        if dt == Dtype::Uint32 {
            build(Family::Random, &copy_defines(dt), "random")?;
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
        if dt.is_inexact() {
            build(Family::Conv, &format!("typedef {} T;", ctype(dt)), &format!("conv {dt}"))?;
        }
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
            build(Family::Chain, &crate::backend::cuda::chain::defines(dt, false)?, &format!("chain {dt}"))?;
            build(Family::Chain, &crate::backend::cuda::chain::defines(dt, true)?, &format!("light chain {dt}"))?;
        }
    }
    Ok(n)
}
