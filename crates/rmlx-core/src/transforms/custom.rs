//! Functions with their own transformation rules, and `checkpoint`.
//!
//! Calling a `CustomFunction` runs the wrapped function and puts one
//! `Primitive::Custom` node over its results: evaluating the node passes the
//! results on, while the transformations see only the node, with the
//! function's arguments as its inputs. They use the rules given by the user,
//! or fall back to transforming the wrapped function again from the
//! arguments (which recomputes it: that is `checkpoint`). Arrays the wrapped
//! function captures are constants, as they are for every transformation.

use std::sync::Arc;

use crate::array::Array;
use crate::device::current_stream;
use crate::error::{Error, Result};
use crate::ops;
use crate::primitive::Primitive;
use crate::shape::fmt_shape;

/// The wrapped function: arguments to results.
pub type ForwardFn = Arc<dyn Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync>;
/// `(primals, cotangents of the results, results)` to cotangents of the primals.
pub type VjpFn = Arc<dyn Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + Send + Sync>;
/// `(primals, tangents of the primals)` to tangents of the results.
pub type JvpFn = Arc<dyn Fn(&[Array], &[Array]) -> Result<Vec<Array>> + Send + Sync>;
/// `(inputs, the mapped axis of each or None)` to `(results, the mapped axis
/// of each result or None)`.
pub type VmapFn = Arc<dyn Fn(&[Array], &[Option<usize>]) -> Result<(Vec<Array>, Vec<Option<usize>>)> + Send + Sync>;

/// A function whose vjp, jvp and vmap may be given by the user; those not
/// given are derived from the function itself.
#[derive(Clone)]
pub struct CustomFunction {
    forward: ForwardFn,
    vjp: Option<VjpFn>,
    jvp: Option<JvpFn>,
    vmap: Option<VmapFn>,
}

/// The `Primitive::Custom` payload: the function and how many of the node's
/// inputs are its arguments. Two are equal when they are the same node's.
#[derive(Clone)]
pub struct CustomRef {
    pub(crate) f: Arc<CustomFunction>,
    pub(crate) n_primals: usize,
}

impl PartialEq for CustomRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.f, &other.f) && self.n_primals == other.n_primals
    }
}

impl std::fmt::Debug for CustomRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Custom({} arguments; vjp: {}, jvp: {}, vmap: {})",
            self.n_primals,
            self.f.vjp.is_some(),
            self.f.jvp.is_some(),
            self.f.vmap.is_some()
        )
    }
}

impl CustomFunction {
    /// Wraps `f`; until rules are added, every transformation goes through `f`.
    pub fn new(f: impl Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync + 'static) -> CustomFunction {
        CustomFunction { forward: Arc::new(f), vjp: None, jvp: None, vmap: None }
    }

    /// Sets the vector-Jacobian product: `(primals, cotangents, outputs)`
    /// to one cotangent per primal, of the primal's shape.
    pub fn with_vjp(
        mut self,
        rule: impl Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + Send + Sync + 'static,
    ) -> CustomFunction {
        self.vjp = Some(Arc::new(rule));
        self
    }

    /// Sets the Jacobian-vector product: `(primals, tangents)` to one
    /// tangent per output, of the output's shape.
    pub fn with_jvp(
        mut self,
        rule: impl Fn(&[Array], &[Array]) -> Result<Vec<Array>> + Send + Sync + 'static,
    ) -> CustomFunction {
        self.jvp = Some(Arc::new(rule));
        self
    }

    /// Sets the batching rule: `(inputs, in_axes)` to `(outputs, out_axes)`.
    pub fn with_vmap(
        mut self,
        rule: impl Fn(&[Array], &[Option<usize>]) -> Result<(Vec<Array>, Vec<Option<usize>>)> + Send + Sync + 'static,
    ) -> CustomFunction {
        self.vmap = Some(Arc::new(rule));
        self
    }

    /// Runs the function on `inputs`: its results, as one custom node.
    pub fn call(&self, inputs: &[Array]) -> Result<Vec<Array>> {
        let outputs = (self.forward)(inputs)?;
        if outputs.is_empty() {
            return Err(Error::value("custom_function: the function must return at least one array"));
        }
        let shapes = outputs.iter().map(|o| (o.shape().to_vec(), o.dtype())).collect();
        let mut all = inputs.to_vec();
        all.extend(outputs);
        let prim = Primitive::Custom(CustomRef { f: Arc::new(self.clone()), n_primals: inputs.len() });
        Ok(Array::pending_multi(shapes, current_stream()?, prim, all))
    }
}

/// `f` recomputed in the backward pass instead of keeping its intermediate
/// results: the forward pass keeps only its arguments and results.
pub fn checkpoint(f: impl Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync + 'static) -> CustomFunction {
    CustomFunction::new(f)
}

fn check_shapes(what: &str, got: &[Array], want: &[Array], of: &str) -> Result<()> {
    if got.len() != want.len() {
        return Err(Error::value(format!(
            "custom_function: the {what} returned {} arrays, expected {} (one per {of})",
            got.len(),
            want.len()
        )));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g.shape() != w.shape() {
            return Err(Error::shape(format!(
                "custom_function: the {what} returned shape {} for {of} {i}, which has shape {}",
                fmt_shape(g.shape()),
                fmt_shape(w.shape())
            )));
        }
    }
    Ok(())
}

/// Splits a custom node's inputs into its arguments and its results.
fn split<'a>(c: &CustomRef, inputs: &'a [Array]) -> (&'a [Array], &'a [Array]) {
    inputs.split_at(c.n_primals.min(inputs.len()))
}

/// Cotangents of a custom node's arguments (missing output cotangents are zeros).
pub(super) fn vjp(c: &CustomRef, inputs: &[Array], cts: &[Option<Array>]) -> Result<Vec<Option<Array>>> {
    let (primals, outs) = split(c, inputs);
    let cts: Vec<Array> = cts
        .iter()
        .zip(outs)
        .map(|(g, o)| match g {
            Some(g) => Ok(g.clone()),
            None => ops::zeros(o.shape(), o.dtype()),
        })
        .collect::<Result<_>>()?;
    let grads = match &c.f.vjp {
        Some(rule) => rule(primals, &cts, outs)?,
        None => {
            let fwd = c.f.forward.clone();
            super::vjp(|xs| fwd(xs), primals, &cts)?.1
        }
    };
    check_shapes("vjp", &grads, primals, "argument")?;
    Ok(grads.into_iter().map(Some).collect())
}

/// Tangents of a custom node's results (missing argument tangents are zeros).
pub(super) fn jvp(c: &CustomRef, inputs: &[Array], tangents: &[Option<Array>]) -> Result<Vec<Option<Array>>> {
    let (primals, outs) = split(c, inputs);
    let ts: Vec<Array> = tangents
        .iter()
        .zip(primals)
        .map(|(t, p)| match t {
            Some(t) => Ok(t.clone()),
            None => ops::zeros(p.shape(), p.dtype()),
        })
        .collect::<Result<_>>()?;
    let out_t = match &c.f.jvp {
        Some(rule) => rule(primals, &ts)?,
        None => {
            let fwd = c.f.forward.clone();
            super::jvp(|xs| fwd(xs), primals, &ts)?.1
        }
    };
    check_shapes("jvp", &out_t, outs, "output")?;
    Ok(out_t.into_iter().map(Some).collect())
}

/// The batched results of a custom node whose arguments are `(array,
/// batched on axis 0?)`, with the batch on axis 0 of each.
pub(super) fn vmap(c: &CustomRef, ins: &[(Array, bool)], orig: &[Array], b: usize) -> Result<Vec<Array>> {
    let n = c.n_primals;
    let (args, flags): (Vec<Array>, Vec<bool>) = ins[..n].iter().cloned().unzip();
    let axes: Vec<Option<usize>> = flags.iter().map(|&f| f.then_some(0)).collect();
    let outs_unbatched = &orig[n..];
    if let Some(rule) = &c.f.vmap {
        let (outs, out_axes) = rule(&args, &axes)?;
        if outs.len() != outs_unbatched.len() || out_axes.len() != outs.len() {
            return Err(Error::value(format!(
                "custom_function: the vmap rule returned {} arrays and {} axes for a function with {} outputs",
                outs.len(),
                out_axes.len(),
                outs_unbatched.len()
            )));
        }
        return outs
            .iter()
            .zip(out_axes)
            .zip(outs_unbatched)
            .map(|((o, ax), u)| {
                let moved = match ax {
                    Some(ax) if ax < o.ndim() => ops::moveaxis(o, ax as i64, 0)?,
                    Some(ax) => {
                        return Err(Error::value(format!(
                            "custom_function: the vmap rule gave out axis {ax} for an output of shape {}",
                            fmt_shape(o.shape())
                        )))
                    }
                    None => {
                        let mut s = vec![b];
                        s.extend_from_slice(o.shape());
                        ops::broadcast_to(o, &s)?
                    }
                };
                let mut want = vec![b];
                want.extend_from_slice(u.shape());
                if moved.shape() != want.as_slice() {
                    return Err(Error::shape(format!(
                        "custom_function: the vmap rule gave an output of shape {} with the batch first; expected {}",
                        fmt_shape(moved.shape()),
                        fmt_shape(&want)
                    )));
                }
                Ok(moved)
            })
            .collect();
    }
    // No rule: a new custom function over the batch, whose forward pass and
    // given rules are the old ones mapped over the batch.
    let fwd = c.f.forward.clone();
    let in_axes = axes.clone();
    let mut batched = CustomFunction::new(move |xs| super::vmap(|ys| fwd(ys), xs, &in_axes, &[0]));
    let k = outs_unbatched.len();
    let summed = |grads: Vec<Array>, flags: &[bool]| -> Result<Vec<Array>> {
        // A cotangent of an unbatched argument sums over the batch.
        grads
            .into_iter()
            .zip(flags)
            .map(|(g, &f)| if f { Ok(g) } else { ops::sum(&g, ops::Axes::Some(vec![0]), false) })
            .collect()
    };
    if let Some(rule) = c.f.vjp.clone() {
        let flags = flags.clone();
        let mut all_axes = axes.clone();
        all_axes.extend(std::iter::repeat_n(Some(0), 2 * k));
        batched = batched.with_vjp(move |p, cts, outs| {
            let mut all = p.to_vec();
            all.extend_from_slice(cts);
            all.extend_from_slice(outs);
            let r = rule.clone();
            let grads = super::vmap(|xs| r(&xs[..n], &xs[n..n + k], &xs[n + k..]), &all, &all_axes, &[0])?;
            summed(grads, &flags)
        });
    }
    if let Some(rule) = c.f.jvp.clone() {
        let mut all_axes = axes.clone();
        all_axes.extend(axes.iter().copied());
        batched = batched.with_jvp(move |p, ts| {
            let mut all = p.to_vec();
            all.extend_from_slice(ts);
            let r = rule.clone();
            super::vmap(|xs| r(&xs[..n], &xs[n..]), &all, &all_axes, &[0])
        });
    }
    batched.call(&args)
}
