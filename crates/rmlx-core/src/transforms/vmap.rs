//! `vmap`: runs a function on stand-ins of one element of the batch, then
//! replays the graph it built on the whole batch, primitive by primitive:
//! each batched node becomes one node over arrays with the batch on axis 0
//! (a reduction's axes move up by one, a matmul gains a batch dimension,
//! a gather offsets its indices per batch element...). Nodes that do not
//! depend on a mapped input are left as they are.

use std::collections::HashMap;

use super::{topo, Step};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops::{self, node, Axes};
use crate::primitive::Primitive;
use crate::shape::fmt_shape;

/// `shape` with the batch size in front.
fn batched_shape(b: usize, shape: &[usize]) -> Vec<usize> {
    let mut s = Vec::with_capacity(shape.len() + 1);
    s.push(b);
    s.extend_from_slice(shape);
    s
}

/// A batched operand of an elementwise primitive whose unbatched result has
/// rank `rank`: `[B, s...]` becomes `[B, 1, .., 1, s...]`, so it broadcasts
/// against the others from the right with the batch kept in front.
fn align(x: &Array, rank: usize) -> Result<Array> {
    let inner = x.ndim() - 1;
    if inner >= rank {
        return Ok(x.clone());
    }
    let mut s = vec![x.shape()[0]];
    s.extend(std::iter::repeat_n(1, rank - inner));
    s.extend_from_slice(&x.shape()[1..]);
    ops::reshape_to(x, &s)
}

/// `x` (batched or not) as `[B] + shape`.
fn full_batch(x: &Array, batched: bool, b: usize, shape: &[usize]) -> Result<Array> {
    if batched {
        Ok(x.clone())
    } else {
        ops::broadcast_to(x, &batched_shape(b, shape))
    }
}

fn shift(axes: &[usize]) -> Vec<usize> {
    axes.iter().map(|a| a + 1).collect()
}

/// Int64 indices normalized as `take` and `scatter` read them: negative ones
/// wrap once from the end, then all are clamped into `[0, n)`.
fn normalize_indices(idx: &Array, n: usize) -> Result<Array> {
    let i = ops::astype(idx, Dtype::Int64)?;
    let wrapped = ops::where_(ops::less(&i, 0)?, ops::add(&i, n as i64)?, &i)?;
    ops::clip(&wrapped, Some(0i64.into()), Some((n.max(1) as i64 - 1).into()))
}

/// The batched outputs of one step whose inputs are `(array, batched?)`
/// (batched arrays have the batch on axis 0).
fn rule(step: &Step, ins: &[(Array, bool)], b: usize) -> Result<Vec<Array>> {
    // Outputs of one primitive share a shape (divmod's two do); any alive one tells it.
    let o = step
        .outputs
        .iter()
        .flatten()
        .next()
        .ok_or_else(|| Error::Runtime("internal: vmap of a step without outputs".into()))?;
    let (oshape, odt) = (o.shape().to_vec(), o.dtype());
    let bshape = batched_shape(b, &oshape);
    let x = |i: usize| ins[i].0.clone();
    let elementwise = |ins: &[(Array, bool)]| -> Result<Vec<Array>> {
        ins.iter().map(|(a, bt)| if *bt { align(a, oshape.len()) } else { Ok(a.clone()) }).collect()
    };
    let one = |a: Array| Ok(vec![a]);
    match &step.prim {
        Primitive::Arange { .. } => Err(Error::Runtime("internal: vmap reached arange".into())),
        // Batched keys `[B] + K + [2]` give bits `[B] + K + S`, key by key.
        Primitive::RandomBits { .. } | Primitive::RandomNormal => {
            one(node(bshape, odt, step.prim.clone(), vec![x(0)])?)
        }
        Primitive::Custom(c) => super::custom::vmap(c, ins, &step.inputs, b),
        Primitive::Conv(spec) => {
            let args = spec.clone();
            let (xs, ws) = (step.inputs[0].shape(), step.inputs[1].shape());
            if ins[0].1 && !ins[1].1 {
                // A batch of inputs only: one convolution over B * N images.
                let mut s = vec![b * xs[0]];
                s.extend_from_slice(&xs[1..]);
                let y = ops::conv_general(&ops::reshape_to(&x(0), &s)?, &x(1), &args)?;
                return one(ops::reshape_to(&y, &bshape)?);
            }
            let xb = full_batch(&x(0), ins[0].1, b, xs)?;
            let wb = full_batch(&x(1), ins[1].1, b, ws)?;
            let f = move |v: &[Array]| Ok(vec![ops::conv_general_composed(&v[0], &v[1], &args)?]);
            super::vmap(f, &[xb, wb], &[Some(0), Some(0)], &[0])
        }
        Primitive::Unary(_)
        | Primitive::AsType(_)
        | Primitive::Contiguous
        | Primitive::Copy
        | Primitive::StopGradient => one(node(bshape, odt, step.prim.clone(), vec![x(0)])?),
        Primitive::Binary(_) | Primitive::Select => one(node(bshape, odt, step.prim.clone(), elementwise(ins)?)?),
        Primitive::DivMod => {
            let v = elementwise(ins)?;
            let (q, r) = ops::divmod(&v[0], &v[1])?;
            Ok(vec![q, r])
        }
        Primitive::Reduce { op, axes } => {
            one(node(bshape, odt, Primitive::Reduce { op: *op, axes: shift(axes) }, vec![x(0)])?)
        }
        Primitive::Scan { op, axis, reverse, inclusive } => {
            let prim = Primitive::Scan { op: *op, axis: axis + 1, reverse: *reverse, inclusive: *inclusive };
            one(node(bshape, odt, prim, vec![x(0)])?)
        }
        Primitive::SearchSorted { right } => {
            let (v, vb) = (&ins[1].0, ins[1].1);
            if !ins[0].1 {
                let v = full_batch(v, vb, b, step.inputs[1].shape())?;
                return one(node(bshape, odt, step.prim.clone(), vec![x(0), v])?);
            }
            // A batched sorted array: count, per value, the elements ordered
            // before it (NaN after every number, as the sort orders it).
            let a = x(0); // [B, n]
            let v = full_batch(v, vb, b, step.inputs[1].shape())?;
            let vf = ops::reshape_to(&v, &[b, v.size() / b.max(1), 1])?;
            let af = ops::expand_dims(&a, 1)?;
            let before = |p: &Array, q: &Array| -> Result<Array> {
                // p orders before q
                let lt = ops::less(p, q)?;
                ops::logical_or(&lt, &ops::logical_and(ops::isnan(q)?, ops::logical_not(&ops::isnan(p)?)?)?)
            };
            let hit = if *right { ops::logical_not(&before(&vf, &af)?)? } else { before(&af, &vf)? };
            let c = ops::sum(&ops::astype(&hit, Dtype::Uint32)?, Axes::Some(vec![-1]), false)?;
            one(ops::reshape_to(&c, &bshape)?)
        }
        Primitive::ArgReduce { op, axis } => {
            one(node(bshape, odt, Primitive::ArgReduce { op: *op, axis: axis + 1 }, vec![x(0)])?)
        }
        // These work on the last axis, which the batch does not move.
        Primitive::Softmax { .. }
        | Primitive::LogSumExp
        | Primitive::Median
        | Primitive::View(_)
        | Primitive::Sort { .. } => one(node(bshape, odt, step.prim.clone(), vec![x(0)])?),
        Primitive::Matmul => {
            let a = full_batch(&ins[0].0, ins[0].1, b, step.inputs[0].shape())?;
            let c = full_batch(&ins[1].0, ins[1].1, b, step.inputs[1].shape())?;
            one(node(bshape, odt, Primitive::Matmul, vec![a, c])?)
        }
        Primitive::Reshape => one(node(bshape, odt, Primitive::Reshape, vec![ops::contiguous(&x(0))?])?),
        Primitive::Transpose { perm } => {
            let mut p = vec![0];
            p.extend(shift(perm));
            one(node(bshape, odt, Primitive::Transpose { perm: p }, vec![x(0)])?)
        }
        Primitive::BroadcastTo => one(node(bshape, odt, Primitive::BroadcastTo, vec![align(&x(0), oshape.len())?])?),
        Primitive::Slice { starts, steps } => {
            let mut st = vec![0];
            st.extend(starts);
            let mut sp = vec![1];
            sp.extend(steps);
            one(node(bshape, odt, Primitive::Slice { starts: st, steps: sp }, vec![x(0)])?)
        }
        Primitive::AsStrided { strides, offset } => {
            // Over a row-major copy, one batch element is `size` elements on.
            let inner = step.inputs[0].size() as i64;
            let mut st = vec![inner];
            st.extend(strides.iter().map(|&s| s as i64));
            one(ops::as_strided(&ops::contiguous(&x(0))?, &bshape, &st, *offset)?)
        }
        Primitive::Concatenate { axis } => {
            let parts: Vec<Array> = ins
                .iter()
                .zip(&step.inputs)
                .map(|((a, bt), orig)| full_batch(a, *bt, b, orig.shape()))
                .collect::<Result<_>>()?;
            one(node(bshape, odt, Primitive::Concatenate { axis: axis + 1 }, parts)?)
        }
        Primitive::Pad { low, high, mode } => {
            if ins.len() > 1 && ins[1].1 {
                return Err(Error::value("vmap: pad with a batched fill value is not supported"));
            }
            let mut l = vec![0];
            l.extend(low);
            let mut h = vec![0];
            h.extend(high);
            let mut inputs = vec![full_batch(&ins[0].0, ins[0].1, b, step.inputs[0].shape())?];
            inputs.extend(ins.iter().skip(1).map(|(a, _)| a.clone()));
            one(node(bshape, odt, Primitive::Pad { low: l, high: h, mode: *mode }, inputs)?)
        }
        Primitive::Take { axis } => {
            let (a, ab) = (&ins[0].0, ins[0].1);
            let (idx, ib) = (&ins[1].0, ins[1].1);
            if !ib {
                return one(node(bshape, odt, Primitive::Take { axis: axis + 1 }, vec![a.clone(), idx.clone()])?);
            }
            let ishape = step.inputs[1].shape().to_vec();
            if !ab {
                // Output a[..axis] + [B] + idx + a[axis + 1..]: the batch moves to the front.
                let r = ops::take(a, idx, Some(*axis as i64))?;
                return one(ops::moveaxis(&r, *axis as i64, 0)?);
            }
            // Both batched: gather from the batch laid end to end along the axis.
            let n = step.inputs[0].shape()[*axis];
            let am = ops::moveaxis(a, (*axis + 1) as i64, 1)?;
            let rest: Vec<usize> = am.shape()[2..].to_vec();
            let mut flat_shape = vec![b * n];
            flat_shape.extend(&rest);
            let flat = ops::reshape_to(&ops::contiguous(&am)?, &flat_shape)?;
            let mut off_shape = vec![b];
            off_shape.extend(std::iter::repeat_n(1, ishape.len()));
            let offs = ops::reshape_to(&ops::arange(0.0, (b * n) as f64, n.max(1) as f64, Dtype::Int64)?, &off_shape)?;
            let gi = ops::add(&normalize_indices(idx, n)?, &offs)?;
            // [B] + idx + rest, with rest = a[..axis] + a[axis + 1..]: put idx after a[..axis].
            let g = ops::take(&flat, &gi, Some(0))?;
            let k = ishape.len();
            let mut perm: Vec<i64> = vec![0];
            perm.extend((0..*axis).map(|i| (1 + k + i) as i64));
            perm.extend((0..k).map(|i| (1 + i) as i64));
            perm.extend((*axis..rest.len()).map(|i| (1 + k + i) as i64));
            one(ops::transpose(&g, &perm)?)
        }
        Primitive::ScatterAxis { mode, axis } => {
            let a0 = step.inputs[0].shape().to_vec();
            let a = full_batch(&ins[0].0, ins[0].1, b, &a0)?;
            let u = full_batch(&ins[2].0, ins[2].1, b, step.inputs[2].shape())?;
            if !ins[1].1 {
                let prim = Primitive::ScatterAxis { mode: *mode, axis: axis + 1 };
                return one(node(bshape, odt, prim, vec![a, x(1), u])?);
            }
            // Batched indices: the batch laid end to end along the axis.
            let n = a0[*axis];
            let ishape = step.inputs[1].shape().to_vec();
            let mut merged = a0[..*axis].to_vec();
            merged.push(b * n);
            merged.extend(&a0[axis + 1..]);
            let am = ops::reshape_to(&ops::contiguous(&ops::moveaxis(&a, 0, *axis as i64)?)?, &merged)?;
            let mut off_shape = vec![b];
            off_shape.extend(std::iter::repeat_n(1, ishape.len()));
            let offs = ops::reshape_to(&ops::arange(0.0, (b * n) as f64, n.max(1) as f64, Dtype::Int64)?, &off_shape)?;
            let gi = ops::add(&normalize_indices(&x(1), n)?, &offs)?;
            let um = ops::moveaxis(&u, 0, *axis as i64)?;
            let r = ops::scatter_axis(&am, &gi, &um, *mode, *axis as i64)?;
            let mut split = a0[..*axis].to_vec();
            split.extend([b, n]);
            split.extend(&a0[axis + 1..]);
            one(ops::moveaxis(&ops::reshape_to(&r, &split)?, *axis as i64, 0)?)
        }
        Primitive::Scatter { mode } => {
            let a0 = &step.inputs[0];
            let size = a0.size();
            let a = full_batch(&ins[0].0, ins[0].1, b, a0.shape())?;
            let pshape = step.inputs[1].shape().to_vec();
            let pos = full_batch(&ins[1].0, ins[1].1, b, &pshape)?;
            let upd = full_batch(&ins[2].0, ins[2].1, b, &pshape)?;
            let mut off_shape = vec![b];
            off_shape.extend(std::iter::repeat_n(1, pshape.len()));
            let step_n = size.max(1) as f64;
            let offs = ops::reshape_to(&ops::arange(0.0, b as f64 * step_n, step_n, Dtype::Int64)?, &off_shape)?;
            let p = ops::add(&normalize_indices(&pos, size)?, &offs)?;
            one(ops::scatter(&ops::copy(&a)?, &p, &upd, *mode)?)
        }
    }
}

/// Maps `f` over axis `in_axes[i]` of each input (None: the input is passed
/// whole to every call), returning each output with the batch on
/// `out_axes[i]` (a single entry applies to every output).
pub fn vmap<F>(f: F, inputs: &[Array], in_axes: &[Option<usize>], out_axes: &[usize]) -> Result<Vec<Array>>
where
    F: FnOnce(&[Array]) -> Result<Vec<Array>>,
{
    if in_axes.len() != inputs.len() {
        return Err(Error::value(format!("vmap: {} in_axes for {} inputs", in_axes.len(), inputs.len())));
    }
    let mut b: Option<usize> = None;
    for (i, (x, ax)) in inputs.iter().zip(in_axes).enumerate() {
        if let Some(ax) = ax {
            if *ax >= x.ndim() {
                return Err(Error::value(format!(
                    "vmap: in_axes[{i}] is {ax}, but input {i} has shape {} ({} axes)",
                    fmt_shape(x.shape()),
                    x.ndim()
                )));
            }
            let n = x.shape()[*ax];
            match b {
                Some(m) if m != n => {
                    return Err(Error::value(format!(
                        "vmap: inputs have different sizes along their mapped axes ({m} and {n} for input {i})"
                    )))
                }
                _ => b = Some(n),
            }
        }
    }
    let b = b.ok_or_else(|| Error::value("vmap: at least one input must be mapped (in_axes all None)"))?;
    // Stand-ins: element 0 of the batch (a real value, should anything evaluate it).
    let mut env: HashMap<usize, Array> = HashMap::new();
    let mut stand_ins = Vec::with_capacity(inputs.len());
    for (x, ax) in inputs.iter().zip(in_axes) {
        match ax {
            Some(ax) => {
                let first = ops::squeeze(
                    &ops::slice_axis(x, *ax as i64, ops::SliceArg::range(0, 1.min(b as i64)))?,
                    Axes::Some(vec![*ax as i64]),
                )
                .or_else(|_| ops::zeros(&[], x.dtype()))?;
                let mut shape = x.shape().to_vec();
                shape.remove(*ax);
                let first = if first.shape() == shape.as_slice() { first } else { ops::zeros(&shape, x.dtype())? };
                let s = super::stand_in(&first);
                env.insert(s.id(), ops::moveaxis(x, *ax as i64, 0)?);
                stand_ins.push(s);
            }
            None => stand_ins.push(x.clone()),
        }
    }
    let stops: std::collections::HashSet<usize> = env.keys().copied().collect();
    let outputs = {
        let _t = super::Tracing::start();
        let _v = super::VmapInputs::start(stops.iter().copied().collect());
        f(&stand_ins)?
    };
    if out_axes.len() != 1 && out_axes.len() != outputs.len() {
        return Err(Error::value(format!("vmap: {} out_axes for {} outputs", out_axes.len(), outputs.len())));
    }
    for step in topo(&outputs, &stops) {
        let ins: Vec<(Array, bool)> = step
            .inputs
            .iter()
            .map(|a| env.get(&a.id()).map(|v| (v.clone(), true)).unwrap_or((a.clone(), false)))
            .collect();
        if !ins.iter().any(|(_, bt)| *bt) {
            continue;
        }
        let outs = rule(&step, &ins, b)?;
        for (o, v) in step.outputs.iter().zip(outs) {
            if let Some(o) = o {
                env.insert(o.id(), v);
            }
        }
    }
    outputs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let oax = if out_axes.len() == 1 { out_axes[0] } else { out_axes[i] };
            if oax > o.ndim() {
                return Err(Error::value(format!(
                    "vmap: out_axes[{i}] is {oax}, but output {i} has only {} axes with the batch",
                    o.ndim() + 1
                )));
            }
            let v = match env.get(&o.id()) {
                Some(v) => v.clone(),
                None => ops::broadcast_to(o, &batched_shape(b, o.shape()))?,
            };
            ops::moveaxis(&v, 0, oax as i64)
        })
        .collect()
}
