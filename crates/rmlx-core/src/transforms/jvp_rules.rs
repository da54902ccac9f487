//! The Jacobian-vector product of every primitive: given the tangents of a
//! node's inputs (None for an input with none: a constant, an integer, an
//! index), the tangents of its outputs (None where an output has none).
//! Linear primitives apply themselves to the tangent; the others multiply
//! it by their partial derivatives, shared with the vjp rules.

use crate::array::Array;
use crate::error::{Error, Result};
use crate::ops::{self, Axes};
use crate::primitive::{BinaryOp, PadMode, Primitive, ReduceOp, ScatterMode, UnaryOp};

use super::vjp_rules::{median_weights, prod_partial, scatter_partials};

type Ts = Vec<Option<Array>>;

/// The sum of the terms present (None when none is).
fn total(terms: Vec<Option<Array>>) -> Result<Option<Array>> {
    let mut acc: Option<Array> = None;
    for t in terms.into_iter().flatten() {
        acc = Some(match acc {
            None => t,
            Some(a) => ops::add(&a, &t)?,
        });
    }
    Ok(acc)
}

fn times(t: &Option<Array>, d: impl Into<ops::Operand>) -> Result<Option<Array>> {
    t.as_ref().map(|t| ops::multiply(t, d)).transpose()
}

fn or_zeros(t: &Option<Array>, like: &Array) -> Result<Array> {
    match t {
        Some(t) => Ok(t.clone()),
        None => ops::zeros(like.shape(), like.dtype()),
    }
}

fn unary(op: UnaryOp, a: &Array, y: &Array, t: &Array) -> Result<Option<Array>> {
    use UnaryOp::*;
    Ok(Some(match op {
        Real => ops::real(t)?,
        Imag => ops::imag(t)?,
        Conj => ops::conj(t)?,
        // Elementwise: the vjp rule multiplies by the same derivative (the
        // ops without one, predicates and bit ops, give no tangent).
        Abs | Sign | Negative | Exp | Expm1 | Log | Log2 | Log10 | Log1p | Sqrt | Rsqrt | Square | Reciprocal | Sin
        | Cos | Tan | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Erf | Erfinv
        | Sigmoid | Floor | Ceil | Round | Trunc | IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | LogicalNot
        | BitwiseInvert => match super::vjp_rules::unary(op, a, y, t)?.pop().flatten() {
            Some(r) => r,
            None => return Ok(None),
        },
    }))
}

fn binary(
    op: BinaryOp,
    a: &Array,
    b: &Array,
    y: &Array,
    ta: &Option<Array>,
    tb: &Option<Array>,
) -> Result<Option<Array>> {
    use BinaryOp::*;
    let neg = |t: &Option<Array>| -> Result<Option<Array>> { t.as_ref().map(ops::negative).transpose() };
    match op {
        Add => total(vec![ta.clone(), tb.clone()]),
        Subtract => total(vec![ta.clone(), neg(tb)?]),
        Multiply => total(vec![times(ta, b)?, times(tb, a)?]),
        Divide => {
            let tb_term = match tb {
                Some(tb) => Some(ops::negative(&ops::multiply(tb, y)?)?),
                None => None,
            };
            Ok(total(vec![ta.clone(), tb_term])?.map(|s| ops::divide(&s, b)).transpose()?)
        }
        Power => {
            let da =
                if ta.is_some() { Some(ops::multiply(b, &ops::power(a, &ops::subtract(b, 1.0)?)?)?) } else { None };
            let db = if tb.is_some() {
                let safe_log = ops::where_(ops::equal(a, 0.0)?, 0.0, &ops::log(a)?)?;
                Some(ops::multiply(y, &safe_log)?)
            } else {
                None
            };
            total(vec![
                ta.as_ref().zip(da).map(|(t, d)| ops::multiply(t, &d)).transpose()?,
                tb.as_ref().zip(db).map(|(t, d)| ops::multiply(t, &d)).transpose()?,
            ])
        }
        Maximum | Minimum => {
            let wins = if op == Maximum { ops::greater(a, b)? } else { ops::less(a, b)? };
            let dt = y.dtype();
            let wa = ops::add(&ops::astype(&wins, dt)?, &ops::multiply(&ops::astype(&ops::equal(a, b)?, dt)?, 0.5)?)?;
            let wb = ops::subtract(1.0, &wa)?;
            total(vec![times(ta, &wa)?, times(tb, &wb)?])
        }
        LogAddExp => {
            total(vec![times(ta, &ops::exp(&ops::subtract(a, y)?)?)?, times(tb, &ops::exp(&ops::subtract(b, y)?)?)?])
        }
        Arctan2 => {
            let den = ops::add(&ops::square(a)?, &ops::square(b)?)?;
            let num = total(vec![times(ta, b)?, neg(&times(tb, a)?)?])?;
            num.map(|n| ops::divide(&n, &den)).transpose()
        }
        Remainder => total(vec![ta.clone(), neg(&times(tb, &ops::floor_divide(a, b)?)?)?]),
        // Piecewise constant: a zero tangent, of the tangent's dtype for the
        // comparisons (a float32 tangent of `x > 1` is float32 zeros, as in MLX).
        Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | LogicalAnd | LogicalOr => {
            let t = ta.as_ref().or(tb.as_ref()).expect("jvp rules run with some tangent");
            Ok(Some(ops::zeros(y.shape(), t.dtype())?))
        }
        FloorDivide | BitwiseAnd | BitwiseOr | BitwiseXor | LeftShift | RightShift => Ok(None),
    }
}

/// The tangent `t` at the first maximum (or minimum) of `a` over `axes`
/// (row-major order among them), shaped `out` (the reduction's kept shape).
fn first_extremum(a: &Array, t: &Array, max: bool, axes: &[usize], out: &[usize]) -> Result<Array> {
    let n = a.ndim();
    let kept: Vec<usize> = (0..n).filter(|d| !axes.contains(d)).collect();
    let perm: Vec<i64> = kept.iter().chain(axes.iter()).map(|&d| d as i64).collect();
    let mut flat: Vec<i64> = kept.iter().map(|&d| a.shape()[d] as i64).collect();
    flat.push(axes.iter().map(|&d| a.shape()[d] as i64).product());
    let rows = |x: &Array| -> Result<Array> { ops::reshape(&ops::transpose(x, &perm)?, &flat) };
    let ar = rows(a)?;
    let idx = if max { ops::argmax(&ar, Some(-1), true)? } else { ops::argmin(&ar, Some(-1), true)? };
    let picked = ops::take_along_axis(&rows(t)?, &idx, Some(-1))?;
    ops::reshape_to(&picked, out)
}

pub(super) fn jvp(prim: &Primitive, inputs: &[Array], outputs: &[Option<Array>], ts: &[Option<Array>]) -> Result<Ts> {
    let x = |i: usize| inputs[i].clone();
    let t0 = || -> Result<Array> {
        ts.first().cloned().flatten().ok_or_else(|| Error::Runtime("internal: jvp without a tangent".into()))
    };
    let y = || outputs[0].clone().unwrap_or_else(|| inputs[0].clone());
    let out_shape =
        || -> Vec<usize> { outputs.iter().flatten().next().map(|o| o.shape().to_vec()).unwrap_or_default() };
    let one = |t: Option<Array>| -> Result<Ts> { Ok(vec![t]) };
    let last = || Axes::Some(vec![-1]);
    match prim {
        Primitive::Arange { .. } | Primitive::RandomBits { .. } | Primitive::RandomNormal => one(None),
        Primitive::Unary(op) => one(unary(*op, &x(0), &y(), &t0()?)?),
        Primitive::Binary(op) => one(binary(*op, &x(0), &x(1), &y(), &ts[0], &ts[1])?),
        Primitive::DivMod => {
            let (a, b) = (x(0), x(1));
            let r = total(vec![ts[0].clone(), times(&ts[1], &ops::negative(&ops::floor_divide(&a, &b)?)?)?])?;
            Ok(vec![None, r])
        }
        Primitive::Select => {
            let o = y();
            if ts[1].is_none() && ts[2].is_none() {
                return one(None);
            }
            let tx = or_zeros(&ts[1], &o)?;
            let ty = or_zeros(&ts[2], &o)?;
            one(Some(ops::where_(x(0), &tx, &ty)?))
        }
        // The tangent is cast as the values are (to an integer dtype too, as in MLX).
        Primitive::AsType(dt) => one(Some(ops::astype(&t0()?, *dt)?)),
        Primitive::Reduce { op, axes } => {
            let (a, t, o) = (x(0), t0()?, y());
            let ax = Axes::Some(axes.iter().map(|&i| i as i64).collect());
            match op {
                ReduceOp::Sum => one(Some(ops::sum(&t, ax, true)?)),
                ReduceOp::Prod => one(Some(ops::sum(&ops::multiply(&t, &prod_partial(&a, &o, axes)?)?, ax, true)?)),
                // The tangent at the first extremum (ties are not shared, as in
                // MLX; the vjp shares the cotangent among them).
                ReduceOp::Min | ReduceOp::Max => {
                    one(Some(first_extremum(&a, &t, *op == ReduceOp::Max, axes, o.shape())?))
                }
                ReduceOp::All | ReduceOp::Any => one(None),
            }
        }
        Primitive::ArgReduce { .. } => one(None),
        Primitive::Softmax { log, .. } => {
            let (t, o) = (t0()?, y());
            if *log {
                let s = ops::sum(&ops::multiply(&ops::exp(&o)?, &t)?, last(), true)?;
                one(Some(ops::subtract(&t, &s)?))
            } else {
                let s = ops::sum(&ops::multiply(&o, &t)?, last(), true)?;
                one(Some(ops::multiply(&o, &ops::subtract(&t, &s)?)?))
            }
        }
        Primitive::LogSumExp => {
            let (a, t, o) = (x(0), t0()?, y());
            one(Some(ops::sum(&ops::multiply(&t, &ops::exp(&ops::subtract(&a, &o)?)?)?, last(), true)?))
        }
        Primitive::Median => {
            let (a, t, o) = (x(0), t0()?, y());
            one(Some(ops::sum(&ops::multiply(&t, &median_weights(&a, &o)?)?, last(), true)?))
        }
        Primitive::Matmul => {
            let (a, b) = (x(0), x(1));
            let l = ts[0].as_ref().map(|t| ops::matmul(t, &b)).transpose()?;
            let r = ts[1].as_ref().map(|t| ops::matmul(&a, t)).transpose()?;
            one(total(vec![l, r])?)
        }
        // Linear in each argument: conv(tx, w) + conv(x, tw).
        Primitive::Conv(spec) => {
            let args = spec.clone();
            let (a, b) = (x(0), x(1));
            let l = ts[0].as_ref().map(|t| ops::conv_general(t, &b, &args)).transpose()?;
            let r = ts[1].as_ref().map(|t| ops::conv_general(&a, t, &args)).transpose()?;
            one(total(vec![l, r])?)
        }
        // A constant for the transformations: its tangent is zero.
        Primitive::StopGradient => one(None),
        // Linear in their one input: the same primitive applied to the tangent.
        Primitive::Reshape | Primitive::Contiguous | Primitive::Copy => {
            one(Some(ops::reshape_to(&ops::contiguous(&t0()?)?, &out_shape())?))
        }
        Primitive::Transpose { perm } => {
            let p: Vec<i64> = perm.iter().map(|&i| i as i64).collect();
            one(Some(ops::transpose(&t0()?, &p)?))
        }
        Primitive::BroadcastTo => one(Some(ops::broadcast_to(&t0()?, &out_shape())?)),
        Primitive::Slice { .. } => {
            let t = t0()?;
            one(Some(ops::node(out_shape(), t.dtype(), prim.clone(), vec![t])?))
        }
        Primitive::AsStrided { strides, offset } => {
            let st: Vec<i64> = strides.iter().map(|&s| s as i64).collect();
            one(Some(ops::as_strided(&ops::contiguous(&t0()?)?, &out_shape(), &st, *offset)?))
        }
        Primitive::View(_) => {
            Err(Error::value("jvp: view reinterprets bits and has no derivative (convert with astype instead)"))
        }
        Primitive::Concatenate { axis } => {
            let parts: Vec<Array> = ts.iter().zip(inputs).map(|(t, i)| or_zeros(t, i)).collect::<Result<_>>()?;
            one(Some(ops::concatenate(&parts, *axis as i64)?))
        }
        Primitive::Pad { low, high, mode } => {
            let a = x(0);
            let widths: Vec<(usize, usize)> = low.iter().copied().zip(high.iter().copied()).collect();
            let ta = or_zeros(&ts[0], &a)?;
            match mode {
                PadMode::Constant => {
                    let fill = match ts.get(1).cloned().flatten() {
                        Some(f) => ops::reshape_to(&f, &[])?,
                        None => ops::zeros(&[], ta.dtype())?,
                    };
                    one(Some(ops::pad(&ta, &widths, PadMode::Constant, &fill)?))
                }
                PadMode::Edge => one(Some(ops::pad(&ta, &widths, PadMode::Edge, 0)?)),
            }
        }
        Primitive::Take { axis } => one(Some(ops::take(&t0()?, &x(1), Some(*axis as i64))?)),
        Primitive::Sort { arg: false } => one(Some(super::scan_rules::sort_jvp(&x(0), &t0()?)?)),
        Primitive::Sort { arg: true } | Primitive::SearchSorted { .. } => one(None),
        Primitive::Scan { op, axis, reverse, inclusive } => {
            one(Some(super::scan_rules::scan_jvp(*op, *axis, *reverse, *inclusive, &x(0), &t0()?)?))
        }
        Primitive::Scatter { mode } => {
            let (a, pos, u, o) = (x(0), x(1), x(2), y());
            let ta = ts[0].clone();
            let tu = ts[2].clone();
            match mode {
                ScatterMode::Add | ScatterMode::Set => {
                    let ta = or_zeros(&ta, &a)?;
                    let tu = or_zeros(&tu, &u)?;
                    one(Some(ops::scatter(&ta, &pos, &tu, *mode)?))
                }
                ScatterMode::Prod | ScatterMode::Max | ScatterMode::Min => {
                    let (wa, wu) = scatter_partials(*mode, &a, &pos, &u, &o)?;
                    let from_a = times(&ta, &wa)?;
                    let from_u = match tu {
                        Some(tu) => {
                            let z = ops::zeros(&[a.size()], o.dtype())?;
                            let s = ops::scatter(&z, &pos, &ops::multiply(&tu, &wu)?, ScatterMode::Add)?;
                            Some(ops::reshape_to(&s, a.shape())?)
                        }
                        None => None,
                    };
                    one(total(vec![from_a, from_u])?)
                }
            }
        }
        Primitive::ScatterAxis { mode, axis } => {
            let (a, idx, u, o) = (x(0), x(1), x(2), y());
            let ax = *axis as i64;
            match mode {
                ScatterMode::Add | ScatterMode::Set => {
                    let ta = or_zeros(&ts[0], &a)?;
                    let tu = or_zeros(&ts[2], &u)?;
                    one(Some(ops::scatter_axis(&ta, &idx, &tu, *mode, ax)?))
                }
                ScatterMode::Prod | ScatterMode::Max | ScatterMode::Min => {
                    let pos = ops::take(&super::vjp_rules::positions(&a)?, &idx, Some(ax))?;
                    let (wa, wu) = scatter_partials(*mode, &a, &pos, &u, &o)?;
                    let from_a = times(&ts[0], &wa)?;
                    let from_u = match ts[2].clone() {
                        Some(tu) => {
                            let z = ops::zeros(a.shape(), o.dtype())?;
                            Some(ops::scatter_axis(&z, &idx, &ops::multiply(&tu, &wu)?, ScatterMode::Add, ax)?)
                        }
                        None => None,
                    };
                    one(total(vec![from_a, from_u])?)
                }
            }
        }
        Primitive::Custom(c) => super::custom::jvp(c, inputs, &ts[..c.n_primals.min(ts.len())]),
    }
}
