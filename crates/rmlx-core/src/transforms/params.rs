//! Functions of user structs of arrays (a model's parameters): a type that
//! lists its arrays and rebuilds itself over new ones can be differentiated
//! with `grad_params`, its gradient coming back as a value of the same type.

use std::collections::BTreeMap;

use crate::array::Array;
use crate::error::{Error, Result};

/// A value holding arrays in a fixed order, e.g. a model's weights.
///
/// ```
/// use rmlx_core::{ops, Array, Params, Result};
/// struct Linear { w: Array, b: Array }
/// impl Params for Linear {
///     fn arrays(&self) -> Vec<Array> { vec![self.w.clone(), self.b.clone()] }
///     fn with_arrays(&self, a: &[Array]) -> Result<Self> {
///         Ok(Linear { w: a[0].clone(), b: a[1].clone() })
///     }
/// }
/// let m = Linear { w: ops::ones(&[3, 2], rmlx_core::Dtype::Float32)?, b: ops::zeros(&[2], rmlx_core::Dtype::Float32)? };
/// let x = ops::ones(&[4, 3], rmlx_core::Dtype::Float32)?;
/// let g = rmlx_core::grad_params(|m: &Linear| {
///     ops::sum(&ops::add(&ops::matmul(&x, &m.w)?, &m.b)?, ops::Axes::All, false)
/// }, &m)?;
/// assert_eq!(g.b.to_vec::<f32>()?, vec![4.0, 4.0]);
/// # Ok::<(), rmlx_core::Error>(())
/// ```
pub trait Params: Sized {
    /// The arrays, always in the same order.
    fn arrays(&self) -> Vec<Array>;
    /// A value of the same structure holding `arrays` (as many as `arrays()`
    /// lists, in its order) instead.
    fn with_arrays(&self, arrays: &[Array]) -> Result<Self>;
}

fn count_error(want: usize, got: usize) -> Error {
    Error::value(format!("Params::with_arrays: the structure holds {want} arrays, {got} were given"))
}

impl Params for Array {
    fn arrays(&self) -> Vec<Array> {
        vec![self.clone()]
    }
    fn with_arrays(&self, arrays: &[Array]) -> Result<Self> {
        match arrays {
            [a] => Ok(a.clone()),
            _ => Err(count_error(1, arrays.len())),
        }
    }
}

/// Takes the arrays of each part in turn.
fn rebuild<'a, T: Params + 'a>(parts: impl Iterator<Item = &'a T>, arrays: &[Array]) -> Result<Vec<T>> {
    let mut at = 0;
    let mut out = Vec::new();
    for p in parts {
        let n = p.arrays().len();
        let chunk = arrays.get(at..at + n).ok_or_else(|| count_error(at + n, arrays.len()))?;
        out.push(p.with_arrays(chunk)?);
        at += n;
    }
    if at != arrays.len() {
        return Err(count_error(at, arrays.len()));
    }
    Ok(out)
}

impl<T: Params> Params for Vec<T> {
    fn arrays(&self) -> Vec<Array> {
        self.iter().flat_map(|p| p.arrays()).collect()
    }
    fn with_arrays(&self, arrays: &[Array]) -> Result<Self> {
        rebuild(self.iter(), arrays)
    }
}

impl<T: Params> Params for BTreeMap<String, T> {
    fn arrays(&self) -> Vec<Array> {
        self.values().flat_map(|p| p.arrays()).collect()
    }
    fn with_arrays(&self, arrays: &[Array]) -> Result<Self> {
        Ok(self.keys().cloned().zip(rebuild(self.values(), arrays)?).collect())
    }
}

impl<A: Params, B: Params> Params for (A, B) {
    fn arrays(&self) -> Vec<Array> {
        let mut v = self.0.arrays();
        v.extend(self.1.arrays());
        v
    }
    fn with_arrays(&self, arrays: &[Array]) -> Result<Self> {
        let n = self.0.arrays().len();
        if arrays.len() < n {
            return Err(count_error(n + self.1.arrays().len(), arrays.len()));
        }
        Ok((self.0.with_arrays(&arrays[..n])?, self.1.with_arrays(&arrays[n..])?))
    }
}

/// The value of `f` (returning one scalar) at `params` and its gradient with
/// respect to every array of `params`, as a value of the same type.
pub fn value_and_grad_params<P, F>(f: F, params: &P) -> Result<(Array, P)>
where
    P: Params,
    F: FnOnce(&P) -> Result<Array>,
{
    let arrays = params.arrays();
    let argnums: Vec<usize> = (0..arrays.len()).collect();
    let (v, g) = super::value_and_grad(|xs| f(&params.with_arrays(xs)?), &arrays, &argnums)?;
    Ok((v, params.with_arrays(&g)?))
}

/// The gradient of `f` (returning one scalar) with respect to every array of
/// `params`, as a value of the same type.
pub fn grad_params<P, F>(f: F, params: &P) -> Result<P>
where
    P: Params,
    F: FnOnce(&P) -> Result<Array>,
{
    value_and_grad_params(f, params).map(|(_, g)| g)
}
