//! Matrix products.

use super::{astype, broadcast_to, node, reshape_to};
use crate::array::Array;
use crate::dtype::promote_types;
use crate::error::{Error, Result};
use crate::primitive::Primitive;
use crate::shape::{broadcast_shapes, fmt_shape};

/// The matrix product with NumPy's rules: batch dimensions broadcast, a 1-D
/// left operand is a row and a 1-D right operand a column (removed after).
pub fn matmul(a: &Array, b: &Array) -> Result<Array> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return Err(Error::value(format!(
            "matmul: operands must have at least 1 dimension, got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let dt = promote_types(a.dtype(), b.dtype());
    if dt.is_bool() {
        return Err(Error::Dtype("matmul: bool operands are not supported".into()));
    }
    let a2 = if a.ndim() == 1 { reshape_to(a, &[1, a.shape()[0]])? } else { a.clone() };
    let b2 = if b.ndim() == 1 { reshape_to(b, &[b.shape()[0], 1])? } else { b.clone() };
    let (an, bn) = (a2.ndim(), b2.ndim());
    let (m, k) = (a2.shape()[an - 2], a2.shape()[an - 1]);
    let (k2, n) = (b2.shape()[bn - 2], b2.shape()[bn - 1]);
    if k != k2 {
        return Err(Error::shape(format!(
            "matmul: inner dimensions differ: {} @ {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let batch = broadcast_shapes(&[&a2.shape()[..an - 2], &b2.shape()[..bn - 2]]).map_err(|_| {
        Error::shape(format!(
            "matmul: batch dimensions do not broadcast: {} @ {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        ))
    })?;
    let mut sa = batch.clone();
    sa.extend([m, k]);
    let mut sb = batch.clone();
    sb.extend([k, n]);
    let mut so = batch.clone();
    so.extend([m, n]);
    crate::shape::checked_size(&so)?;
    let a3 = broadcast_to(&astype(&a2, dt)?, &sa)?;
    let b3 = broadcast_to(&astype(&b2, dt)?, &sb)?;
    let out = node(so.clone(), dt, Primitive::Matmul, vec![a3, b3])?;
    let mut final_shape = batch;
    if a.ndim() > 1 {
        final_shape.push(m);
    }
    if b.ndim() > 1 {
        final_shape.push(n);
    }
    reshape_to(&out, &final_shape)
}
