//! The vector-Jacobian product of every primitive: given the cotangents of
//! a node's outputs, the cotangents of its inputs (None where an input gets
//! none: integer results, comparisons, indices). Rules are written with the
//! ops, so they run on any device and can be differentiated again.

use std::f64::consts::{LN_10, LN_2, PI};

use crate::array::Array;
use crate::error::{Error, Result};
use crate::ops::{self, Axes, Scalar};
use crate::primitive::{ArgReduceOp, BinaryOp, PadMode, Primitive, ReduceOp, ScatterMode, UnaryOp};

type Cts = Vec<Option<Array>>;

/// `g` summed over the axes along which `shape` was broadcast to `g`'s shape.
pub(crate) fn unbroadcast(g: &Array, shape: &[usize]) -> Result<Array> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let lead = g.ndim() - shape.len();
    let mut axes: Vec<i64> = (0..lead as i64).collect();
    for (i, &d) in shape.iter().enumerate() {
        if d == 1 && g.shape()[lead + i] != 1 {
            axes.push((lead + i) as i64);
        }
    }
    let s = ops::sum(g, Axes::Some(axes), true)?;
    ops::reshape_to(&s, shape)
}

/// The flat (row-major) positions of `a`'s elements, in `a`'s shape.
pub(super) fn positions(a: &Array) -> Result<Array> {
    let idx = ops::arange(0.0, a.size() as f64, 1.0, crate::Dtype::Int64)?;
    ops::reshape_to(&idx, a.shape())
}

/// Zeros of `a`'s shape with `g` added at the flat positions `pos` (same shape as `g`).
fn scatter_add_into(a: &Array, pos: &Array, g: &Array) -> Result<Array> {
    let z = ops::zeros(&[a.size()], g.dtype())?;
    let flat_pos = ops::reshape_to(pos, &[pos.size()])?;
    let flat_g = ops::reshape_to(g, &[g.size()])?;
    let s = ops::scatter(&z, &flat_pos, &flat_g, ScatterMode::Add)?;
    ops::reshape_to(&s, a.shape())
}

fn one(g: Array) -> Result<Cts> {
    Ok(vec![Some(g)])
}

fn none(n: usize) -> Result<Cts> {
    Ok(vec![None; n])
}

pub(super) fn unary(op: UnaryOp, a: &Array, y: &Array, g: &Array) -> Result<Cts> {
    use UnaryOp::*;
    let r = match op {
        // |z| is not holomorphic: the rule (in the walk's convention, see
        // `backward`) multiplies by conj(z) / |z|.
        Abs if a.dtype().is_complex() => ops::multiply(g, &ops::conj(&ops::sign(a)?)?)?,
        Abs => ops::multiply(g, &ops::sign(a)?)?,
        Negative => ops::negative(g)?,
        Exp => ops::multiply(g, y)?,
        Expm1 => ops::multiply(g, &ops::add(y, 1.0)?)?,
        Log => ops::divide(g, a)?,
        Log2 => ops::divide(g, &ops::multiply(a, LN_2)?)?,
        Log10 => ops::divide(g, &ops::multiply(a, LN_10)?)?,
        Log1p => ops::divide(g, &ops::add(a, 1.0)?)?,
        Sqrt => ops::divide(g, &ops::multiply(y, 2.0)?)?,
        // d/dx x^(-1/2) = -y / (2x)
        Rsqrt => ops::multiply(g, &ops::divide(&ops::multiply(y, -0.5)?, a)?)?,
        Square => ops::multiply(g, &ops::multiply(a, 2.0)?)?,
        Reciprocal => ops::negative(&ops::multiply(g, &ops::square(y)?)?)?,
        Sin => ops::multiply(g, &ops::cos(a)?)?,
        Cos => ops::negative(&ops::multiply(g, &ops::sin(a)?)?)?,
        Tan => ops::multiply(g, &ops::add(&ops::square(y)?, 1.0)?)?,
        Arcsin => ops::multiply(g, &ops::rsqrt(&ops::subtract(1.0, &ops::square(a)?)?)?)?,
        Arccos => ops::negative(&ops::multiply(g, &ops::rsqrt(&ops::subtract(1.0, &ops::square(a)?)?)?)?)?,
        Arctan => ops::divide(g, &ops::add(&ops::square(a)?, 1.0)?)?,
        Sinh => ops::multiply(g, &ops::cosh(a)?)?,
        Cosh => ops::multiply(g, &ops::sinh(a)?)?,
        Tanh => ops::multiply(g, &ops::subtract(1.0, &ops::square(y)?)?)?,
        Arcsinh => ops::multiply(g, &ops::rsqrt(&ops::add(&ops::square(a)?, 1.0)?)?)?,
        Arccosh => ops::multiply(g, &ops::rsqrt(&ops::subtract(&ops::square(a)?, 1.0)?)?)?,
        Arctanh => ops::divide(g, &ops::subtract(1.0, &ops::square(a)?)?)?,
        Erf => {
            let k = 2.0 / PI.sqrt();
            ops::multiply(g, &ops::multiply(&ops::exp(&ops::negative(&ops::square(a)?)?)?, k)?)?
        }
        Erfinv => {
            let k = PI.sqrt() / 2.0;
            ops::multiply(g, &ops::multiply(&ops::exp(&ops::square(y)?)?, k)?)?
        }
        Sigmoid => ops::multiply(g, &ops::multiply(y, &ops::subtract(1.0, y)?)?)?,
        // As JAX: real(z) -> complex(g, 0), imag(z) -> complex(0, -g), conj -> conj.
        Real => ops::astype(g, crate::Dtype::Complex64)?,
        Imag => ops::multiply(&ops::astype(g, crate::Dtype::Complex64)?, num_complex::Complex32::new(0.0, -1.0))?,
        Conj => ops::conj(g)?,
        // Piecewise constant, or not numbers: no gradient (zero, as MLX).
        Sign | Floor | Ceil | Round | Trunc | IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | LogicalNot
        | BitwiseInvert => return none(1),
    };
    one(r)
}

fn binary(op: BinaryOp, a: &Array, b: &Array, y: &Array, g: &Array) -> Result<Cts> {
    use BinaryOp::*;
    let (ga, gb) = match op {
        Add => (g.clone(), g.clone()),
        Subtract => (g.clone(), ops::negative(g)?),
        Multiply => (ops::multiply(g, b)?, ops::multiply(g, a)?),
        Divide => (ops::divide(g, b)?, ops::negative(&ops::divide(&ops::multiply(g, y)?, b)?)?),
        Power => {
            // d/da a^b = b a^(b-1); d/db a^b = a^b log a (0 where a is 0, as the limit).
            let da = ops::multiply(g, &ops::multiply(b, &ops::power(a, &ops::subtract(b, 1.0)?)?)?)?;
            let safe_log = ops::where_(ops::equal(a, 0.0)?, 0.0, &ops::log(a)?)?;
            let db = ops::multiply(g, &ops::multiply(y, &safe_log)?)?;
            (da, db)
        }
        Maximum | Minimum => {
            // The larger (smaller) input takes the cotangent; ties share it:
            // a's weight is (1 ± sign(a - b)) / 2, float ops only, so the
            // whole rule is one fused kernel (a ReLU's backward reads its
            // input and the cotangent once). Where a - b is NaN (a NaN input,
            // or equal infinities) the cotangent is NaN.
            let s = ops::sign(&ops::subtract(a, b)?)?;
            let s = if op == Maximum { s } else { ops::negative(&s)? };
            let wa = ops::multiply(&ops::add(&s, 1.0)?, 0.5)?;
            let wb = ops::multiply(&ops::subtract(1.0, &s)?, 0.5)?;
            (ops::multiply(g, &wa)?, ops::multiply(g, &wb)?)
        }
        LogAddExp => {
            (ops::multiply(g, &ops::exp(&ops::subtract(a, y)?)?)?, ops::multiply(g, &ops::exp(&ops::subtract(b, y)?)?)?)
        }
        Arctan2 => {
            // atan2(a, b): d/da = b / (a² + b²), d/db = -a / (a² + b²)
            let den = ops::add(&ops::square(a)?, &ops::square(b)?)?;
            (ops::divide(&ops::multiply(g, b)?, &den)?, ops::negative(&ops::divide(&ops::multiply(g, a)?, &den)?)?)
        }
        Remainder => (g.clone(), ops::negative(&ops::multiply(g, &ops::floor_divide(a, b)?)?)?),
        FloorDivide | Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | LogicalAnd | LogicalOr
        | BitwiseAnd | BitwiseOr | BitwiseXor | LeftShift | RightShift => return none(2),
    };
    Ok(vec![Some(unbroadcast(&ga, a.shape())?), Some(unbroadcast(&gb, b.shape())?)])
}

/// Weights spreading a reduction's cotangent over the elements equal to its result.
pub(super) fn share_among_equal(a: &Array, y: &Array, axes: &[usize]) -> Result<Array> {
    let mask = ops::astype(&ops::equal(a, y)?, a.dtype())?;
    let ax: Vec<i64> = axes.iter().map(|&i| i as i64).collect();
    let count = ops::sum(&mask, Axes::Some(ax), true)?;
    ops::divide(&mask, &count)
}

/// d prod(a over axes) / d a: y / a where no element is zero; where one
/// is, the product of the others at it and zero elsewhere.
pub(super) fn prod_partial(a: &Array, y: &Array, axes: &[usize]) -> Result<Array> {
    let ax: Vec<i64> = axes.iter().map(|&i| i as i64).collect();
    let zero = ops::equal(a, 0.0)?;
    let safe = ops::where_(&zero, 1.0, a)?;
    let others = ops::prod(&safe, Axes::Some(ax.clone()), true)?;
    let zeros = ops::sum(&ops::astype(&zero, crate::Dtype::Int32)?, Axes::Some(ax), true)?;
    let d_nonzero = ops::divide(y, a)?;
    ops::where_(
        &zero,
        ops::where_(ops::equal(&zeros, 1)?, &others, 0.0)?,
        ops::where_(ops::greater(&zeros, 0)?, 0.0, &d_nonzero)?,
    )
}

/// d median(a over the last axis) / d a: half to each of the two middle
/// elements (all to the middle one for an odd count), shared among
/// elements equal to them.
pub(super) fn median_weights(a: &Array, y: &Array) -> Result<Array> {
    let last = Axes::Some(vec![-1]);
    let lo = ops::max(&ops::where_(ops::less_equal(a, y)?, a, f64::NEG_INFINITY)?, last.clone(), true)?;
    let hi = ops::min(&ops::where_(ops::greater_equal(a, y)?, a, f64::INFINITY)?, last, true)?;
    ops::add(
        &ops::multiply(&share_among_equal(a, &lo, &[a.ndim() - 1])?, 0.5)?,
        &ops::multiply(&share_among_equal(a, &hi, &[a.ndim() - 1])?, 0.5)?,
    )
}

/// The partial derivatives of `y = scatter(a, pos, u, mode)` for the
/// modes that are not linear: `(dy/da` in `a`'s shape, `dy[pos_k]/du_k` in
/// `u`'s shape). For max and min, the elements equal to the result share
/// it; for prod, a zero update gets the product of the others.
pub(super) fn scatter_partials(
    mode: ScatterMode,
    a: &Array,
    pos: &Array,
    u: &Array,
    y: &Array,
) -> Result<(Array, Array)> {
    let n = a.size();
    let dt = y.dtype();
    let flat = |x: &Array| ops::reshape_to(x, &[x.size()]);
    let (af, yf) = (flat(a)?, flat(y)?);
    let gather = |x: &Array| ops::take(x, pos, Some(0));
    let scatter_add = |vals: &Array| ops::scatter(&ops::zeros(&[n], vals.dtype())?, pos, vals, ScatterMode::Add);
    match mode {
        ScatterMode::Max | ScatterMode::Min => {
            let ma = ops::astype(&ops::equal(&af, &yf)?, dt)?;
            let mu = ops::astype(&ops::equal(u, &gather(&yf)?)?, dt)?;
            let count = ops::add(&ma, &scatter_add(&mu)?)?;
            let wa = ops::divide(&ma, &count)?;
            let wu = ops::divide(&mu, &gather(&count)?)?;
            Ok((ops::reshape_to(&wa, a.shape())?, wu))
        }
        ScatterMode::Prod => {
            let p = ops::scatter(&ops::ones(&[n], dt)?, pos, u, ScatterMode::Prod)?;
            let is_zero = ops::equal(u, 0.0)?;
            let safe_u = ops::where_(&is_zero, 1.0, u)?;
            let q = ops::scatter(&ops::ones(&[n], dt)?, pos, &safe_u, ScatterMode::Prod)?;
            let zeros_at = gather(&scatter_add(&ops::astype(&is_zero, crate::Dtype::Int32)?)?)?;
            let others_zero = ops::subtract(&zeros_at, &ops::astype(&is_zero, crate::Dtype::Int32)?)?;
            let du = ops::divide(&gather(&ops::multiply(&af, &q)?)?, &safe_u)?;
            let du = ops::where_(ops::equal(&others_zero, 0)?, &du, 0.0)?;
            Ok((ops::reshape_to(&p, a.shape())?, du))
        }
        ScatterMode::Add | ScatterMode::Set => {
            Err(Error::Runtime("internal: scatter_partials of a linear mode".into()))
        }
    }
}

pub(crate) fn vjp(prim: &Primitive, inputs: &[Array], outputs: &[Option<Array>], cts: &[Option<Array>]) -> Result<Cts> {
    let x = |i: usize| inputs[i].clone();
    // Most primitives have one output.
    let g = || -> Result<Array> {
        cts.first().cloned().flatten().ok_or_else(|| Error::Runtime("internal: vjp without a cotangent".into()))
    };
    // The output (of a one-output primitive: the node being walked, alive).
    let y = || outputs[0].clone().unwrap_or_else(|| inputs[0].clone());
    let out_shape = |i: usize| -> Vec<usize> { outputs[i].as_ref().map(|o| o.shape().to_vec()).unwrap_or_default() };
    match prim {
        Primitive::Arange { .. } => none(0),
        // A constant for the transformations: nothing flows back.
        Primitive::StopGradient => none(1),
        // Keys are integers: no cotangent.
        Primitive::RandomBits { .. } | Primitive::RandomNormal => none(1),
        Primitive::Unary(op) => unary(*op, &x(0), &y(), &g()?),
        Primitive::Binary(op) => binary(*op, &x(0), &x(1), &y(), &g()?),
        Primitive::DivMod => {
            // The quotient is piecewise constant; the remainder is a - b * floor(a / b).
            let (a, b) = (x(0), x(1));
            match &cts[1] {
                None => none(2),
                Some(g) => Ok(vec![
                    Some(unbroadcast(g, a.shape())?),
                    Some(unbroadcast(&ops::negative(&ops::multiply(g, &ops::floor_divide(&a, &b)?)?)?, b.shape())?),
                ]),
            }
        }
        Primitive::Select => {
            let (c, g) = (x(0), g()?);
            let ga = ops::where_(&c, &g, 0.0)?;
            let gb = ops::where_(&c, 0.0, &g)?;
            Ok(vec![None, Some(unbroadcast(&ga, inputs[1].shape())?), Some(unbroadcast(&gb, inputs[2].shape())?)])
        }
        Primitive::AsType(_) => one(g()?),
        Primitive::Reduce { op, axes } => {
            let (a, g, y) = (x(0), g()?, y());
            let gb = ops::broadcast_to(&g, a.shape())?;
            match op {
                ReduceOp::Sum => one(gb),
                ReduceOp::Prod => one(ops::multiply(&gb, &prod_partial(&a, &y, axes)?)?),
                ReduceOp::Min | ReduceOp::Max => one(ops::multiply(&gb, &share_among_equal(&a, &y, axes)?)?),
                ReduceOp::All | ReduceOp::Any => none(1),
            }
        }
        Primitive::ArgReduce { op: ArgReduceOp::ArgMin | ArgReduceOp::ArgMax, .. } => none(1),
        Primitive::Softmax { log, .. } => {
            let (g, y) = (g()?, y());
            let last = Axes::Some(vec![-1]);
            if *log {
                let s = ops::sum(&g, last, true)?;
                one(ops::subtract(&g, &ops::multiply(&ops::exp(&y)?, &s)?)?)
            } else {
                let s = ops::sum(&ops::multiply(&g, &y)?, last, true)?;
                one(ops::multiply(&y, &ops::subtract(&g, &s)?)?)
            }
        }
        Primitive::LogSumExp => {
            let (a, g, y) = (x(0), g()?, y());
            one(ops::multiply(&g, &ops::exp(&ops::subtract(&a, &y)?)?)?)
        }
        Primitive::Median => {
            let (a, g, y) = (x(0), g()?, y());
            one(ops::multiply(&ops::broadcast_to(&g, a.shape())?, &median_weights(&a, &y)?)?)
        }
        Primitive::Matmul => {
            let (a, b, g) = (x(0), x(1), g()?);
            let ga = ops::matmul(&g, &ops::swapaxes(&b, -1, -2)?)?;
            let gb = ops::matmul(&ops::swapaxes(&a, -1, -2)?, &g)?;
            Ok(vec![Some(ga), Some(gb)])
        }
        Primitive::Reshape | Primitive::Contiguous | Primitive::Copy => one(ops::reshape_to(&g()?, inputs[0].shape())?),
        Primitive::Transpose { perm } => {
            let mut inv = vec![0i64; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inv[p] = i as i64;
            }
            one(ops::transpose(&g()?, &inv)?)
        }
        Primitive::BroadcastTo => one(unbroadcast(&g()?, inputs[0].shape())?),
        Primitive::Slice { starts, steps } => {
            // The window of the positions array is the same strided window.
            let a = x(0);
            let rm = crate::shape::row_major_strides(a.shape());
            let st: Vec<i64> = rm.iter().zip(steps).map(|(&r, &s)| (r * s) as i64).collect();
            let offset: usize = rm.iter().zip(starts).map(|(&r, &s)| r as usize * s).sum();
            let pos = ops::as_strided(&positions(&a)?, &out_shape(0), &st, offset)?;
            one(scatter_add_into(&a, &pos, &g()?)?)
        }
        Primitive::AsStrided { strides, offset } => {
            let a = x(0);
            let st: Vec<i64> = strides.iter().map(|&s| s as i64).collect();
            let pos = ops::as_strided(&positions(&a)?, &out_shape(0), &st, *offset)?;
            one(scatter_add_into(&a, &pos, &g()?)?)
        }
        Primitive::View(_) => {
            Err(Error::value("vjp: view reinterprets bits and has no derivative (convert with astype instead)"))
        }
        Primitive::Concatenate { axis } => {
            let g = g()?;
            let mut start = 0i64;
            inputs
                .iter()
                .map(|i| {
                    let n = i.shape()[*axis] as i64;
                    let part = ops::slice_axis(&g, *axis as i64, ops::SliceArg::range(start, start + n))?;
                    start += n;
                    Ok(Some(part))
                })
                .collect()
        }
        Primitive::Pad { low, high, mode } => {
            let (a, g) = (x(0), g()?);
            let args: Vec<ops::SliceArg> =
                low.iter().zip(a.shape()).map(|(&l, &n)| ops::SliceArg::range(l as i64, (l + n) as i64)).collect();
            let inner = ops::slice(&g, &args)?;
            match mode {
                PadMode::Constant => {
                    // The fill value gets the cotangent of every padded position.
                    let total = ops::sum(&g, Axes::All, false)?;
                    let fill = ops::subtract(&total, &ops::sum(&inner, Axes::All, false)?)?;
                    Ok(vec![Some(inner), Some(ops::reshape_to(&fill, inputs[1].shape())?)])
                }
                PadMode::Edge => {
                    let widths: Vec<(usize, usize)> = low.iter().copied().zip(high.iter().copied()).collect();
                    let pos = ops::pad(&positions(&a)?, &widths, PadMode::Edge, 0)?;
                    one(scatter_add_into(&a, &pos, &g)?)
                }
            }
        }
        Primitive::Take { axis } => {
            let (a, idx, g) = (x(0), x(1), g()?);
            let z = ops::zeros(a.shape(), g.dtype())?;
            Ok(vec![Some(ops::scatter_axis(&z, &idx, &g, ScatterMode::Add, *axis as i64)?), None])
        }
        Primitive::ScatterAxis { mode, axis } => {
            let (a, idx, g) = (x(0), x(1), g()?);
            let ax = *axis as i64;
            let gu = ops::take(&g, &idx, Some(ax))?;
            match mode {
                ScatterMode::Add => Ok(vec![Some(g.clone()), None, Some(gu)]),
                ScatterMode::Set => {
                    let kept = ops::scatter_axis(&ops::ones(a.shape(), g.dtype())?, &idx, 0.0, ScatterMode::Set, ax)?;
                    Ok(vec![Some(ops::multiply(&g, &kept)?), None, Some(gu)])
                }
                ScatterMode::Prod | ScatterMode::Max | ScatterMode::Min => {
                    let (u, y) = (x(2), y());
                    let pos = ops::take(&positions(&a)?, &idx, Some(ax))?;
                    let (wa, wu) = scatter_partials(*mode, &a, &pos, &u, &y)?;
                    Ok(vec![Some(ops::multiply(&g, &wa)?), None, Some(ops::multiply(&gu, &wu)?)])
                }
            }
        }
        Primitive::Scatter { mode } => {
            let (a, pos, g) = (x(0), x(1), g()?);
            let flat_g = ops::reshape_to(&g, &[g.size()])?;
            match mode {
                ScatterMode::Add => Ok(vec![Some(g.clone()), None, Some(ops::take(&flat_g, &pos, Some(0))?)]),
                ScatterMode::Set => {
                    // Overwritten elements get nothing; the updates get what lands on them.
                    let kept =
                        ops::scatter(&ops::ones(&[a.size()], g.dtype())?, &pos, Scalar::Float(0.0), ScatterMode::Set)?;
                    let ga = ops::multiply(&g, &ops::reshape_to(&kept, a.shape())?)?;
                    Ok(vec![Some(ga), None, Some(ops::take(&flat_g, &pos, Some(0))?)])
                }
                ScatterMode::Prod | ScatterMode::Max | ScatterMode::Min => {
                    let (u, y) = (x(2), y());
                    let (wa, wu) = scatter_partials(*mode, &a, &pos, &u, &y)?;
                    let gu = ops::multiply(&ops::take(&flat_g, &pos, Some(0))?, &wu)?;
                    Ok(vec![Some(ops::multiply(&g, &wa)?), None, Some(gu)])
                }
            }
        }
        Primitive::Sort { arg: false } => one(super::scan_rules::sort_vjp(&x(0), &g()?)?),
        Primitive::Sort { arg: true } => none(1),
        Primitive::SearchSorted { .. } => none(2),
        Primitive::Scan { op, axis, reverse, inclusive } => {
            one(super::scan_rules::scan_vjp(*op, *axis, *reverse, *inclusive, &x(0), &g()?)?)
        }
        Primitive::Conv(spec) => {
            let (gx, gw) = super::conv_rules::conv_vjp(&x(0), &x(1), spec, &g()?)?;
            Ok(vec![Some(gx), Some(gw)])
        }
        Primitive::Custom(c) => super::custom::vjp(c, inputs, cts),
    }
}
