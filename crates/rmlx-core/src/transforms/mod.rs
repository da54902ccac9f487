//! Function transformations over the lazy graph. `vjp` runs a function on
//! stand-ins for its inputs, then walks the graph it built from the
//! outputs back to those stand-ins, applying each primitive's rule (in
//! `vjp_rules`) to turn output cotangents into input cotangents. The
//! results are lazy arrays like any other: they can be evaluated, or
//! differentiated again.
//!
//! `jvp` walks the same graph forwards with each primitive's rule (in
//! `jvp_rules`), and `vmap` replays it over a batch (in `vmap`).
//!
//! Arrays the function uses without receiving them (captured by a closure)
//! and arrays evaluated before the transformation began are constants: the
//! walk stops there. Arrays the function evaluates itself keep their
//! primitive and inputs while a transformation traces (`Tracing`), so the
//! walk goes on through them.

mod conv_rules;
mod custom;
mod jvp_rules;
mod params;
mod scan_rules;
mod vjp_rules;
mod vmap;

pub use custom::{checkpoint, CustomFunction, CustomRef, ForwardFn, JvpFn, VjpFn, VmapFn};
pub use params::{grad_params, value_and_grad_params, Params};
pub use vmap::vmap;

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many transformations are calling the function they trace (on any thread).
static TRACING: AtomicUsize = AtomicUsize::new(0);

/// Whether some transformation is tracing a function now: evaluated nodes
/// then keep their history.
pub(crate) fn tracing() -> bool {
    TRACING.load(Ordering::Relaxed) > 0
}

/// Marks a traced call for as long as it lives.
pub(super) struct Tracing;
impl Tracing {
    pub(super) fn start() -> Tracing {
        TRACING.fetch_add(1, Ordering::Relaxed);
        Tracing
    }
}
impl Drop for Tracing {
    fn drop(&mut self) {
        TRACING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The stand-ins of the inputs `vmap` is calling its function with, while
/// it does (on any thread): they hold element 0 of the batch, so a value
/// read from them (`item`, printing, a branch on data) would be wrong for
/// the others. Evaluating anything that depends on one is an error, as in MLX.
static VMAP_STAND_INS: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());
static VMAP_ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Registers vmap stand-ins for as long as it lives.
pub(super) struct VmapInputs(Vec<usize>);
impl VmapInputs {
    pub(super) fn start(ids: Vec<usize>) -> VmapInputs {
        VMAP_STAND_INS.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(&ids);
        VMAP_ACTIVE.fetch_add(1, Ordering::Relaxed);
        VmapInputs(ids)
    }
}
impl Drop for VmapInputs {
    fn drop(&mut self) {
        let mut v = VMAP_STAND_INS.lock().unwrap_or_else(|e| e.into_inner());
        v.retain(|i| !self.0.contains(i));
        VMAP_ACTIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An error if `order` (a graph about to be evaluated) reads an input that
/// `vmap` is mapping.
pub(crate) fn check_not_vmapped(order: &[Array]) -> Result<()> {
    if VMAP_ACTIVE.load(Ordering::Relaxed) == 0 {
        return Ok(());
    }
    let ids = VMAP_STAND_INS.lock().unwrap_or_else(|e| e.into_inner());
    if order.iter().any(|a| ids.contains(&a.id())) {
        return Err(Error::value(
            "[eval] cannot evaluate an array that depends on an input vmap is mapping, inside vmap \
             (item, tolist, bool, printing or an eval would see one element of the batch); \
             keep the function free of data-dependent Python control flow",
        ));
    }
    Ok(())
}

use std::collections::{HashMap, HashSet};

use crate::array::{Array, State};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops;
use crate::primitive::Primitive;
use crate::shape::fmt_shape;

/// A stand-in for a primal: a node of its own (so the walk can stop at it)
/// that computes the primal's values without copying them.
pub(super) fn stand_in(p: &Array) -> Array {
    Array::pending(p.shape().to_vec(), p.dtype(), p.stream(), Primitive::Contiguous, vec![p.clone()])
}

/// One step of the walk: a primitive's outputs (all siblings of a
/// multi-output primitive, in order) and its inputs.
pub(super) struct Step {
    pub(super) prim: Primitive,
    pub(super) inputs: Vec<Array>,
    /// None for an output of a multi-output primitive that no one holds any more.
    pub(super) outputs: Vec<Option<Array>>,
}

/// The primitive, inputs and outputs behind a pending array, None for a
/// ready one (a constant).
fn step_of(a: &Array) -> Option<Step> {
    let st = a.lock();
    let p = match &*st {
        State::Pending(p) => p,
        _ => a.0.history.get()?,
    };
    let outputs = if p.siblings.is_empty() {
        vec![Some(a.clone())]
    } else {
        p.siblings.iter().map(|w| w.upgrade().map(Array)).collect()
    };
    Some(Step { prim: p.prim.clone(), inputs: p.inputs.clone(), outputs })
}

/// The steps between `outputs` and the stand-ins, inputs before users.
pub(super) fn topo(outputs: &[Array], stops: &HashSet<usize>) -> Vec<Step> {
    let mut order = Vec::new();
    // Arrays whose step has been expanded (marked when expanded, not when
    // pushed: an output that another output uses must still come first).
    let mut seen: HashSet<usize> = HashSet::new();
    // (array, inputs already pushed?)
    let mut stack: Vec<(Array, Option<Step>)> = Vec::new();
    for o in outputs.iter().rev() {
        stack.push((o.clone(), None));
    }
    while let Some((a, step)) = stack.pop() {
        if stops.contains(&a.id()) {
            continue;
        }
        match step {
            Some(s) => order.push(s),
            None => {
                if !seen.insert(a.id()) {
                    continue;
                }
                let Some(s) = step_of(&a) else { continue };
                for o in s.outputs.iter().flatten() {
                    seen.insert(o.id());
                }
                // A custom node's transformations need only its arguments.
                let inputs = match &s.prim {
                    Primitive::Custom(c) => s.inputs[..c.n_primals.min(s.inputs.len())].to_vec(),
                    _ => s.inputs.clone(),
                };
                stack.push((a, Some(s)));
                for i in inputs {
                    if !seen.contains(&i.id()) {
                        stack.push((i, None));
                    }
                }
            }
        }
    }
    order
}

fn accumulate(cts: &mut HashMap<usize, Array>, a: &Array, g: Array) -> Result<()> {
    // Cotangents keep the primal's dtype (a float32 rule output for a
    // float16 input is rounded back).
    let g = if g.dtype() != a.dtype() { ops::astype(&g, a.dtype())? } else { g };
    let g = if g.shape() != a.shape() { ops::broadcast_to(&g, a.shape())? } else { g };
    let v = match cts.remove(&a.id()) {
        Some(prev) => ops::add(&prev, &g)?,
        None => g,
    };
    cts.insert(a.id(), v);
    Ok(())
}

/// Cotangents of `stand_ins` given cotangents of `outputs`.
fn backward(outputs: &[Array], cotangents: &[Array], stand_ins: &[Array]) -> Result<Vec<Array>> {
    let stops: HashSet<usize> = stand_ins.iter().map(|s| s.id()).collect();
    let mut cts: HashMap<usize, Array> = HashMap::new();
    // Complex values: the rules are written as the transpose of the
    // derivative (ct * f'(z) for a holomorphic f), and the result is given
    // in MLX's and PyTorch's convention, its conjugate (ct * conj(f'(z)));
    // conjugating the seeds and the results turns one into the other.
    let conj_if_complex = |c: &Array| if c.dtype().is_complex() { ops::conj(c) } else { Ok(c.clone()) };
    for (o, c) in outputs.iter().zip(cotangents) {
        if o.dtype().is_inexact() {
            accumulate(&mut cts, o, conj_if_complex(c)?)?;
        }
    }
    let order = topo(outputs, &stops);
    // Only arrays that depend on a primal carry cotangents: a constant (data
    // captured by the closure, an immediate) gets none, so no graph is built
    // for, say, the gradient of a model's input batch.
    let mut active: HashSet<usize> = stops.clone();
    for step in &order {
        if step.inputs.iter().any(|i| active.contains(&i.id())) {
            active.extend(step.outputs.iter().flatten().map(|o| o.id()));
        }
    }
    for step in order.iter().rev() {
        let out_cts: Vec<Option<Array>> =
            step.outputs.iter().map(|o| o.as_ref().and_then(|o| cts.remove(&o.id()))).collect();
        if out_cts.iter().all(|c| c.is_none()) || !step.inputs.iter().any(|i| active.contains(&i.id())) {
            continue;
        }
        let in_cts = vjp_rules::vjp(&step.prim, &step.inputs, &step.outputs, &out_cts)?;
        for (input, g) in step.inputs.iter().zip(in_cts) {
            if let Some(g) = g {
                if input.dtype().is_inexact() && active.contains(&input.id()) {
                    accumulate(&mut cts, input, g)?;
                }
            }
        }
    }
    stand_ins
        .iter()
        .map(|s| match cts.remove(&s.id()) {
            Some(g) => conj_if_complex(&g),
            None => ops::zeros(s.shape(), s.dtype()),
        })
        .collect()
}

/// The vector-Jacobian product: runs `f` on `primals` and returns its
/// outputs and the cotangents of the primals for the given `cotangents` of
/// the outputs (one per output, of the output's shape).
pub fn vjp<F>(f: F, primals: &[Array], cotangents: &[Array]) -> Result<(Vec<Array>, Vec<Array>)>
where
    F: FnOnce(&[Array]) -> Result<Vec<Array>>,
{
    vjp_with(f, primals, |_| Ok(cotangents.to_vec()))
}

/// `vjp` with the cotangents made from the outputs once they are known
/// (e.g. ones for a loss and zeros for auxiliary outputs).
pub fn vjp_with<F, C>(f: F, primals: &[Array], make_cotangents: C) -> Result<(Vec<Array>, Vec<Array>)>
where
    F: FnOnce(&[Array]) -> Result<Vec<Array>>,
    C: FnOnce(&[Array]) -> Result<Vec<Array>>,
{
    let stand_ins: Vec<Array> = primals.iter().map(stand_in).collect();
    let outputs = {
        let _t = Tracing::start();
        f(&stand_ins)?
    };
    let cotangents = make_cotangents(&outputs)?;
    let cotangents = cotangents.as_slice();
    if outputs.len() != cotangents.len() {
        return Err(Error::value(format!(
            "vjp: the function returned {} arrays but {} cotangents were given",
            outputs.len(),
            cotangents.len()
        )));
    }
    for (i, (o, c)) in outputs.iter().zip(cotangents).enumerate() {
        if o.shape() != c.shape() {
            return Err(Error::shape(format!(
                "vjp: cotangent {i} has shape {} but output {i} has shape {}",
                fmt_shape(c.shape()),
                fmt_shape(o.shape())
            )));
        }
    }
    let grads = backward(&outputs, cotangents, &stand_ins)?;
    Ok((outputs, grads))
}

/// The value of `f` (which must return one scalar array) at `primals` and
/// its gradient with respect to the primals numbered in `argnums`.
pub fn value_and_grad<F>(f: F, primals: &[Array], argnums: &[usize]) -> Result<(Array, Vec<Array>)>
where
    F: FnOnce(&[Array]) -> Result<Array>,
{
    for &i in argnums {
        if i >= primals.len() {
            return Err(Error::value(format!(
                "grad: argnums has {i}, but the function takes {} arguments",
                primals.len()
            )));
        }
        if !primals[i].dtype().is_inexact() {
            return Err(Error::Dtype(format!(
                "grad: argument {i} is of {}; gradients are for floating-point (or complex) arrays",
                primals[i].dtype()
            )));
        }
    }
    let stand_ins: Vec<Array> = primals.iter().map(stand_in).collect();
    let out = {
        let _t = Tracing::start();
        f(&stand_ins)?
    };
    if out.size() != 1 || out.ndim() != 0 {
        return Err(Error::value(format!(
            "grad: the function must return a scalar (a 0-d array), got shape {}",
            fmt_shape(out.shape())
        )));
    }
    let seed = ops::ones(&[], out.dtype())?;
    let chosen: Vec<Array> = argnums.iter().map(|&i| stand_ins[i].clone()).collect();
    let grads = backward(std::slice::from_ref(&out), &[seed], &chosen)?;
    Ok((out, grads))
}

/// The gradient of `f` (returning one scalar) with respect to the primals
/// numbered in `argnums`.
pub fn grad<F>(f: F, primals: &[Array], argnums: &[usize]) -> Result<Vec<Array>>
where
    F: FnOnce(&[Array]) -> Result<Array>,
{
    value_and_grad(f, primals, argnums).map(|(_, g)| g)
}

/// The Jacobian-vector product: runs `f` on `primals` and returns its
/// outputs and their tangents for the given `tangents` of the primals (one
/// per primal, of the primal's shape), walking the graph forwards.
pub fn jvp<F>(f: F, primals: &[Array], tangents: &[Array]) -> Result<(Vec<Array>, Vec<Array>)>
where
    F: FnOnce(&[Array]) -> Result<Vec<Array>>,
{
    if primals.len() != tangents.len() {
        return Err(Error::value(format!("jvp: {} primals but {} tangents were given", primals.len(), tangents.len())));
    }
    for (i, (p, t)) in primals.iter().zip(tangents).enumerate() {
        if p.shape() != t.shape() {
            return Err(Error::shape(format!(
                "jvp: tangent {i} has shape {} but primal {i} has shape {}",
                fmt_shape(t.shape()),
                fmt_shape(p.shape())
            )));
        }
    }
    let stand_ins: Vec<Array> = primals.iter().map(stand_in).collect();
    let mut tans: HashMap<usize, Array> = HashMap::new();
    // Integer primals carry tangents too (jvp of `3 * x` with int x is 3 * t, as in MLX).
    for (s, t) in stand_ins.iter().zip(tangents) {
        let t = if t.dtype() != s.dtype() { ops::astype(t, s.dtype())? } else { t.clone() };
        tans.insert(s.id(), t);
    }
    let outputs = {
        let _t = Tracing::start();
        f(&stand_ins)?
    };
    let stops: HashSet<usize> = stand_ins.iter().map(|s| s.id()).collect();
    for step in topo(&outputs, &stops) {
        let in_t: Vec<Option<Array>> = step.inputs.iter().map(|i| tans.get(&i.id()).cloned()).collect();
        if in_t.iter().all(|t| t.is_none()) {
            continue;
        }
        let out_t = jvp_rules::jvp(&step.prim, &step.inputs, &step.outputs, &in_t)?;
        for (o, t) in step.outputs.iter().zip(out_t) {
            if let (Some(o), Some(t)) = (o, t) {
                // A boolean output (a comparison) keeps its zero tangent's dtype.
                let t =
                    if t.dtype() != o.dtype() && o.dtype() != Dtype::Bool { ops::astype(&t, o.dtype())? } else { t };
                let t = if t.shape() != o.shape() { ops::broadcast_to(&t, o.shape())? } else { t };
                tans.insert(o.id(), t);
            }
        }
    }
    let out_t = outputs
        .iter()
        .map(|o| match tans.get(&o.id()) {
            Some(t) => Ok(t.clone()),
            None => ops::zeros(o.shape(), o.dtype()),
        })
        .collect::<Result<_>>()?;
    Ok((outputs, out_t))
}
