//! The matmul family, built on `matmul`: `addmm`, `inner`, `outer`,
//! `tensordot`, `vecdot`, `kron`, `trace`, `einsum` (with `einsum_path`, a
//! greedy contraction-order optimizer), `block_masked_mm`, `gather_mm`,
//! `segmented_mm`.

use super::{
    add, arange, astype, broadcast_to, conj, diagonal, expand_dims, logical_and, matmul, multiply, reshape, reshape_to,
    slice, sum, take, transpose, Axes, SliceArg,
};
use crate::array::Array;
use crate::dtype::{promote_types, Dtype};
use crate::error::{Error, Result};
use crate::shape::{fmt_shape, normalize_axis};
use std::collections::BTreeMap;

/// `alpha * (a @ b) + beta * c`.
/// Operands whose promoted dtype is a real floating-point one (MLX refuses
/// integer and complex products in addmm and segmented_mm).
fn real_float_operands(op: &str, xs: &[&Array]) -> Result<()> {
    let dt = xs.iter().skip(1).fold(xs[0].dtype(), |d, x| promote_types(d, x.dtype()));
    if !dt.is_inexact() || dt.is_complex() {
        let names: Vec<String> = xs.iter().map(|x| x.dtype().to_string()).collect();
        return Err(Error::Dtype(format!(
            "{op}: only real floating-point types are supported, got {} (promoted to {dt})",
            names.join(", ")
        )));
    }
    Ok(())
}

pub fn addmm(c: &Array, a: &Array, b: &Array, alpha: f64, beta: f64) -> Result<Array> {
    real_float_operands("addmm", &[c, a, b])?;
    let p = matmul(a, b)?;
    let dt = promote_types(p.dtype(), c.dtype());
    let p = astype(&p, dt)?;
    let c = astype(c, dt)?;
    let p = if alpha == 1.0 { p } else { multiply(&p, alpha)? };
    if beta == 0.0 {
        return super::broadcast_to(&p, &crate::shape::broadcast_shapes(&[p.shape(), c.shape()])?);
    }
    let c = if beta == 1.0 { c } else { multiply(&c, beta)? };
    add(&p, &c)
}

/// Which axes `tensordot` contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TensorAxes {
    /// The last n axes of `a` with the first n of `b`.
    Count(usize),
    /// `a`'s axes with `b`'s, pair by pair.
    Pairs(Vec<i64>, Vec<i64>),
}

/// NumPy's `tensordot`: sums the products over the paired axes; the result
/// has `a`'s other axes, then `b`'s.
pub fn tensordot(a: &Array, b: &Array, axes: &TensorAxes) -> Result<Array> {
    let (ax_a, ax_b): (Vec<usize>, Vec<usize>) = match axes {
        TensorAxes::Count(n) => {
            let n = *n;
            if n > a.ndim() || n > b.ndim() {
                return Err(Error::value(format!(
                    "tensordot: cannot contract {n} axes of arrays of shapes {} and {}",
                    fmt_shape(a.shape()),
                    fmt_shape(b.shape())
                )));
            }
            ((a.ndim() - n..a.ndim()).collect(), (0..n).collect())
        }
        TensorAxes::Pairs(x, y) => {
            if x.len() != y.len() {
                return Err(Error::value(format!(
                    "tensordot: {} axes of the first array paired with {} of the second",
                    x.len(),
                    y.len()
                )));
            }
            (
                crate::shape::normalize_axes("tensordot", x, a.ndim())?,
                crate::shape::normalize_axes("tensordot", y, b.ndim())?,
            )
        }
    };
    for (&i, &j) in ax_a.iter().zip(&ax_b) {
        if a.shape()[i] != b.shape()[j] {
            return Err(Error::shape(format!(
                "tensordot: axis {i} of shape {} (size {}) does not match axis {j} of shape {} (size {})",
                fmt_shape(a.shape()),
                a.shape()[i],
                fmt_shape(b.shape()),
                b.shape()[j]
            )));
        }
    }
    let free_a: Vec<usize> = (0..a.ndim()).filter(|i| !ax_a.contains(i)).collect();
    let free_b: Vec<usize> = (0..b.ndim()).filter(|i| !ax_b.contains(i)).collect();
    let k: usize = ax_a.iter().map(|&i| a.shape()[i]).product();
    let m: usize = free_a.iter().map(|&i| a.shape()[i]).product();
    let n: usize = free_b.iter().map(|&i| b.shape()[i]).product();
    let pa: Vec<i64> = free_a.iter().chain(&ax_a).map(|&i| i as i64).collect();
    let pb: Vec<i64> = ax_b.iter().chain(&free_b).map(|&i| i as i64).collect();
    let a2 = reshape_to(&transpose(a, &pa)?, &[m, k])?;
    let b2 = reshape_to(&transpose(b, &pb)?, &[k, n])?;
    let mut shape: Vec<usize> = free_a.iter().map(|&i| a.shape()[i]).collect();
    shape.extend(free_b.iter().map(|&i| b.shape()[i]));
    reshape_to(&matmul(&a2, &b2)?, &shape)
}

/// NumPy's `inner`: sums over the last axes (a product when either is 0-d).
pub fn inner(a: &Array, b: &Array) -> Result<Array> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return multiply(a, b);
    }
    tensordot(a, b, &TensorAxes::Pairs(vec![-1], vec![-1]))
}

/// The outer product of the flattened arrays.
pub fn outer(a: &Array, b: &Array) -> Result<Array> {
    let a = reshape(a, &[-1, 1])?;
    let b = reshape(b, &[1, -1])?;
    multiply(&a, &b)
}

/// NumPy's `vecdot`: `sum(conj(a) * b)` along `axis`, the others broadcast.
pub fn vecdot(a: &Array, b: &Array, axis: i64) -> Result<Array> {
    let shape = crate::shape::broadcast_shapes(&[a.shape(), b.shape()])?;
    if shape.is_empty() {
        return Err(Error::value("vecdot: needs arrays of at least one dimension"));
    }
    let ax = normalize_axis("vecdot", axis, shape.len())?;
    let (sa, sb) = (a.shape().len(), b.shape().len());
    let na = if ax + sa >= shape.len() { a.shape()[ax + sa - shape.len()] } else { 1 };
    let nb = if ax + sb >= shape.len() { b.shape()[ax + sb - shape.len()] } else { 1 };
    if na != nb {
        return Err(Error::shape(format!(
            "vecdot: the vectors along axis {axis} differ in length: {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let a = if a.dtype().is_complex() { conj(a)? } else { a.clone() };
    sum(&multiply(&a, b)?, Axes::Some(vec![ax as i64]), false)
}

/// The Kronecker product: blocks `a[i] * b`, as NumPy's `kron`.
pub fn kron(a: &Array, b: &Array) -> Result<Array> {
    if a.size() == 0 || b.size() == 0 {
        return Err(Error::value(format!(
            "kron: the inputs must not be empty, got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let nd = a.ndim().max(b.ndim());
    let pad = |x: &Array| -> Result<Array> {
        let mut s = vec![1usize; nd - x.ndim()];
        s.extend_from_slice(x.shape());
        reshape_to(x, &s)
    };
    let (a, b) = (pad(a)?, pad(b)?);
    let mut sa = Vec::with_capacity(2 * nd);
    let mut sb = Vec::with_capacity(2 * nd);
    let mut out = Vec::with_capacity(nd);
    for d in 0..nd {
        sa.extend([a.shape()[d], 1]);
        sb.extend([1, b.shape()[d]]);
        out.push(a.shape()[d] * b.shape()[d]);
    }
    let p = multiply(&reshape_to(&a, &sa)?, &reshape_to(&b, &sb)?)?;
    reshape_to(&super::contiguous(&p)?, &out)
}

/// The sum along the `offset` diagonal of the plane (`axis1`, `axis2`), in
/// `dtype` when given.
pub fn trace(a: &Array, offset: i64, axis1: i64, axis2: i64, dtype: Option<Dtype>) -> Result<Array> {
    if a.ndim() < 2 {
        return Err(Error::value(format!("trace: needs an array of at least 2 dimensions, got {}", a.ndim())));
    }
    let d = diagonal(a, offset, axis1, axis2)?;
    let d = match dtype {
        Some(dt) => astype(&d, dt)?,
        None => d,
    };
    sum(&d, Axes::Some(vec![-1]), false)
}

// ---------------------------------------------------------------- einsum

/// A parsed einsum: each operand's labels, the output's, and every label's size.
struct Spec {
    inputs: Vec<Vec<char>>,
    output: Vec<char>,
    sizes: BTreeMap<char, usize>,
}

/// Labels standing for the dimensions an ellipsis covers (outside a-zA-Z).
fn ellipsis_label(k: usize) -> char {
    char::from_u32(0x100 + k as u32).unwrap_or('?')
}

fn parse_einsum(subscripts: &str, shapes: &[&[usize]]) -> Result<Spec> {
    let s: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = match s.split_once("->") {
        Some((l, r)) => {
            if r.contains("->") {
                return Err(Error::value(format!("einsum: '{subscripts}' has more than one '->'")));
            }
            (l.to_string(), Some(r.to_string()))
        }
        None => (s.clone(), None),
    };
    let terms: Vec<&str> = lhs.split(',').collect();
    if terms.len() != shapes.len() {
        return Err(Error::value(format!(
            "einsum: '{subscripts}' names {} operands but {} were given",
            terms.len(),
            shapes.len()
        )));
    }
    let parse_term = |t: &str| -> Result<(Vec<char>, Option<usize>)> {
        let mut labels = Vec::new();
        let mut ell = None;
        let mut rest = t;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("...") {
                if ell.is_some() {
                    return Err(Error::value(format!("einsum: '{t}' has more than one ellipsis")));
                }
                ell = Some(labels.len());
                rest = r;
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            if !c.is_ascii_alphabetic() {
                return Err(Error::value(format!(
                    "einsum: '{c}' in '{subscripts}' is not a subscript (letters a-z, A-Z and '...')"
                )));
            }
            labels.push(c);
            rest = &rest[c.len_utf8()..];
        }
        Ok((labels, ell))
    };
    let mut max_ell = 0usize;
    let mut parsed = Vec::new();
    for (t, shape) in terms.iter().zip(shapes) {
        let (labels, ell) = parse_term(t)?;
        let n_ell = match ell {
            Some(_) => shape.len().checked_sub(labels.len()).ok_or_else(|| {
                Error::value(format!(
                    "einsum: '{t}' names more dimensions than the operand of shape {} has",
                    fmt_shape(shape)
                ))
            })?,
            None => {
                if labels.len() != shape.len() {
                    return Err(Error::value(format!(
                        "einsum: '{t}' names {} dimensions but the operand has shape {}",
                        labels.len(),
                        fmt_shape(shape)
                    )));
                }
                0
            }
        };
        max_ell = max_ell.max(n_ell);
        parsed.push((labels, ell, n_ell));
    }
    let mut sizes: BTreeMap<char, usize> = BTreeMap::new();
    let mut inputs = Vec::new();
    for ((labels, ell, n_ell), shape) in parsed.into_iter().zip(shapes) {
        let mut full = labels.clone();
        if let Some(p) = ell {
            let e: Vec<char> = (max_ell - n_ell..max_ell).map(ellipsis_label).collect();
            full.splice(p..p, e);
        }
        for (&c, &d) in full.iter().zip(shape.iter()) {
            match sizes.get(&c) {
                Some(&old) if old != d => {
                    // Size 1 broadcasts, as in NumPy and MLX.
                    if old == 1 || d == 1 {
                        sizes.insert(c, old.max(d));
                    } else {
                        return Err(Error::shape(format!(
                            "einsum: subscript '{c}' has size {old} in one operand and {d} in another"
                        )));
                    }
                }
                Some(_) => {}
                None => {
                    sizes.insert(c, d);
                }
            }
        }
        inputs.push(full);
    }
    let ell_all: Vec<char> = (0..max_ell).map(ellipsis_label).collect();
    let output = match rhs {
        Some(r) => {
            let (labels, ell) = parse_term(&r)?;
            let mut full = labels.clone();
            if let Some(p) = ell {
                full.splice(p..p, ell_all.iter().copied());
            } else if max_ell > 0 {
                // Without an ellipsis in the output the broadcast dimensions are summed.
            }
            for (i, c) in full.iter().enumerate() {
                if full[..i].contains(c) {
                    return Err(Error::value(format!("einsum: output subscript '{c}' appears twice")));
                }
                if !sizes.contains_key(c) {
                    return Err(Error::value(format!("einsum: output subscript '{c}' is not in any operand")));
                }
            }
            full
        }
        None => {
            // Implicit: the ellipsis dimensions, then labels seen once, in order.
            let mut count: BTreeMap<char, usize> = BTreeMap::new();
            for l in &inputs {
                for &c in l {
                    if (c as u32) < 0x100 {
                        *count.entry(c).or_default() += 1;
                    }
                }
            }
            let mut out = ell_all.clone();
            out.extend(count.into_iter().filter(|&(_, n)| n == 1).map(|(c, _)| c));
            out
        }
    };
    Ok(Spec { inputs, output, sizes })
}

/// An operand during the contraction: its array and the label of each axis.
struct Term {
    a: Array,
    labels: Vec<char>,
}

/// Takes diagonals of repeated labels and sums labels no one else needs.
fn reduce_term(t: Term, keep: &dyn Fn(char) -> bool) -> Result<Term> {
    let Term { mut a, mut labels } = t;
    // Repeated labels: the diagonal (moved to the end by `diagonal`).
    loop {
        let dup = (0..labels.len())
            .find_map(|i| labels[i + 1..].iter().position(|&c| c == labels[i]).map(|j| (i, i + 1 + j)));
        let Some((i, j)) = dup else { break };
        let c = labels[i];
        a = diagonal(&a, 0, i as i64, j as i64)?;
        labels.remove(j);
        labels.remove(i);
        labels.push(c);
    }
    let drop: Vec<i64> = labels.iter().enumerate().filter(|(_, &c)| !keep(c)).map(|(i, _)| i as i64).collect();
    if !drop.is_empty() {
        a = sum(&a, Axes::Some(drop), false)?;
        labels.retain(|&c| keep(c));
    }
    Ok(Term { a, labels })
}

/// Broadcasts a term's size-1 axes to the label sizes.
fn expand_term(t: Term, sizes: &BTreeMap<char, usize>) -> Result<Term> {
    let target: Vec<usize> = t.labels.iter().map(|c| sizes[c]).collect();
    if target == t.a.shape() {
        return Ok(t);
    }
    Ok(Term { a: broadcast_to(&t.a, &target)?, labels: t.labels })
}

/// Contracts two terms, keeping the labels in `keep`.
fn contract_pair(x: Term, y: Term, keep: &dyn Fn(char) -> bool, sizes: &BTreeMap<char, usize>) -> Result<Term> {
    let (x, y) = (expand_term(x, sizes)?, expand_term(y, sizes)?);
    let batch: Vec<char> = x.labels.iter().copied().filter(|c| y.labels.contains(c) && keep(*c)).collect();
    let contracted: Vec<char> = x.labels.iter().copied().filter(|c| y.labels.contains(c) && !keep(*c)).collect();
    let fx: Vec<char> = x.labels.iter().copied().filter(|c| !y.labels.contains(c)).collect();
    let fy: Vec<char> = y.labels.iter().copied().filter(|c| !x.labels.contains(c)).collect();
    let pos = |t: &Term, c: char| t.labels.iter().position(|&l| l == c).unwrap_or(0) as i64;
    let size = |cs: &[char]| cs.iter().map(|c| sizes[c]).product::<usize>();
    let (nb, nk, nx, ny) = (size(&batch), size(&contracted), size(&fx), size(&fy));
    let px: Vec<i64> = batch.iter().chain(&fx).chain(&contracted).map(|&c| pos(&x, c)).collect();
    let py: Vec<i64> = batch.iter().chain(&contracted).chain(&fy).map(|&c| pos(&y, c)).collect();
    let a = reshape_to(&transpose(&x.a, &px)?, &[nb, nx, nk])?;
    let b = reshape_to(&transpose(&y.a, &py)?, &[nb, nk, ny])?;
    let p = matmul(&a, &b)?;
    let labels: Vec<char> = batch.iter().chain(&fx).chain(&fy).copied().collect();
    let shape: Vec<usize> = labels.iter().map(|c| sizes[c]).collect();
    Ok(Term { a: reshape_to(&p, &shape)?, labels })
}

/// The size of the result of contracting label sets `x` and `y` given what stays needed.
fn pair_cost(x: &[char], y: &[char], keep: &dyn Fn(char) -> bool, sizes: &BTreeMap<char, usize>) -> (u128, u128) {
    let mut out: Vec<char> = x.iter().chain(y).copied().filter(|&c| keep(c)).collect();
    out.sort_unstable();
    out.dedup();
    let mut all: Vec<char> = x.iter().chain(y).copied().collect();
    all.sort_unstable();
    all.dedup();
    let size = out.iter().map(|c| sizes[c] as u128).product::<u128>();
    let flops = all.iter().map(|c| sizes[c] as u128).product::<u128>();
    (size, flops)
}

/// The greedy contraction order: at each step the pair whose result is
/// smallest (then cheapest). Positions index the operand list as it stands,
/// the new result going to the end.
fn greedy_path(spec: &Spec) -> Vec<(usize, usize)> {
    let mut terms: Vec<Vec<char>> = spec.inputs.clone();
    let mut path = Vec::new();
    while terms.len() > 1 {
        let mut best: Option<((u128, u128), usize, usize)> = None;
        for i in 0..terms.len() {
            for j in i + 1..terms.len() {
                let keep = |c: char| {
                    spec.output.contains(&c)
                        || terms.iter().enumerate().any(|(k, t)| k != i && k != j && t.contains(&c))
                };
                let cost = pair_cost(&terms[i], &terms[j], &keep, &spec.sizes);
                if best.as_ref().is_none_or(|b| cost < b.0) {
                    best = Some((cost, i, j));
                }
            }
        }
        let (_, i, j) = best.expect("two terms at least");
        let keep = |c: char| {
            spec.output.contains(&c) || terms.iter().enumerate().any(|(k, t)| k != i && k != j && t.contains(&c))
        };
        let mut merged: Vec<char> = terms[i].iter().chain(&terms[j]).copied().filter(|&c| keep(c)).collect();
        merged.dedup();
        let mut seen = Vec::new();
        merged.retain(|c| {
            if seen.contains(c) {
                false
            } else {
                seen.push(*c);
                true
            }
        });
        terms.remove(j);
        terms.remove(i);
        terms.push(merged);
        path.push((i, j));
    }
    path
}

/// NumPy's and MLX's `einsum`, with implicit output, '...' and repeated
/// subscripts (diagonals), contracted pairwise in `einsum_path`'s order.
pub fn einsum(subscripts: &str, operands: &[Array]) -> Result<Array> {
    if operands.is_empty() {
        return Err(Error::value("einsum: needs at least one operand"));
    }
    let shapes: Vec<&[usize]> = operands.iter().map(|a| a.shape()).collect();
    let spec = parse_einsum(subscripts, &shapes)?;
    let dt = operands.iter().skip(1).fold(operands[0].dtype(), |d, a| promote_types(d, a.dtype()));
    let path = greedy_path(&spec);
    let mut terms: Vec<Term> = operands
        .iter()
        .zip(&spec.inputs)
        .map(|(a, l)| Ok(Term { a: astype(a, dt)?, labels: l.clone() }))
        .collect::<Result<_>>()?;
    // Each operand first drops what only it has and no one needs.
    let needed_elsewhere = |terms: &[Vec<char>], skip: &[usize], c: char| {
        spec.output.contains(&c) || terms.iter().enumerate().any(|(k, t)| !skip.contains(&k) && t.contains(&c))
    };
    let labels_now: Vec<Vec<char>> = terms.iter().map(|t| t.labels.clone()).collect();
    terms = terms
        .into_iter()
        .enumerate()
        .map(|(i, t)| reduce_term(t, &|c| needed_elsewhere(&labels_now, &[i], c)))
        .collect::<Result<_>>()?;
    for (i, j) in path {
        let labels_now: Vec<Vec<char>> = terms.iter().map(|t| t.labels.clone()).collect();
        let keep = |c: char| needed_elsewhere(&labels_now, &[i, j], c);
        let y = terms.remove(j);
        let x = terms.remove(i);
        let r = contract_pair(x, y, &keep, &spec.sizes)?;
        terms.push(r);
    }
    let t = terms.pop().expect("one term left");
    let t = reduce_term(t, &|c| spec.output.contains(&c))?;
    let t = expand_term(t, &spec.sizes)?;
    // Output labels the operands broadcast away (size-1 ellipsis dims) come back as size 1.
    let perm: Vec<i64> =
        spec.output.iter().filter_map(|c| t.labels.iter().position(|l| l == c).map(|p| p as i64)).collect();
    let r = transpose(&t.a, &perm)?;
    let shape: Vec<usize> = spec.output.iter().map(|c| if t.labels.contains(c) { spec.sizes[c] } else { 1 }).collect();
    reshape_to(&r, &shape)
}

/// The contraction order `einsum` uses (pairs of positions in the operand
/// list as it shrinks, each result appended) and a report of the naive and
/// optimized costs.
pub fn einsum_path(subscripts: &str, shapes: &[&[usize]]) -> Result<(Vec<(usize, usize)>, String)> {
    let spec = parse_einsum(subscripts, shapes)?;
    let path = greedy_path(&spec);
    let mut all: Vec<char> = spec.inputs.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let naive: u128 = all.iter().map(|c| spec.sizes[c] as u128).product::<u128>() * spec.inputs.len().max(1) as u128;
    let mut terms = spec.inputs.clone();
    let mut opt: u128 = 0;
    let mut lines = Vec::new();
    for &(i, j) in &path {
        let keep = |c: char| {
            spec.output.contains(&c) || terms.iter().enumerate().any(|(k, t)| k != i && k != j && t.contains(&c))
        };
        let (_, flops) = pair_cost(&terms[i], &terms[j], &keep, &spec.sizes);
        opt += 2 * flops;
        let mut merged: Vec<char> = Vec::new();
        for &c in terms[i].iter().chain(&terms[j]) {
            if keep(c) && !merged.contains(&c) {
                merged.push(c);
            }
        }
        let show = |l: &[char]| l.iter().map(|&c| if (c as u32) >= 0x100 { '.' } else { c }).collect::<String>();
        lines.push(format!("  {},{}->{}", show(&terms[i]), show(&terms[j]), show(&merged)));
        terms.remove(j);
        terms.remove(i);
        terms.push(merged);
    }
    let report = format!(
        "Complete contraction:  {subscripts}\n  Naive FLOP count:  {naive}\n  Optimized FLOP count:  {opt}\n  Contractions:\n{}",
        lines.join("\n")
    );
    Ok((path, report))
}

// ---------------------------------------------------------------- masked and gathered products

/// A block mask `(..., rb, cb)` widened to `(..., rows, cols)`, each entry
/// covering a `block` x `block` tile.
fn expand_mask(mask: &Array, block: usize, rows: usize, cols: usize, dt: Dtype) -> Result<Array> {
    let nd = mask.ndim();
    if nd < 2 {
        return Err(Error::shape(format!(
            "block_masked_mm: a mask needs 2 dimensions, got shape {}",
            fmt_shape(mask.shape())
        )));
    }
    let (rb, cb) = (mask.shape()[nd - 2], mask.shape()[nd - 1]);
    if rb != rows.div_ceil(block) || cb != cols.div_ceil(block) {
        return Err(Error::shape(format!(
            "block_masked_mm: a mask over a {rows} x {cols} matrix in blocks of {block} must end in ({}, {}), got shape {}",
            rows.div_ceil(block),
            cols.div_ceil(block),
            fmt_shape(mask.shape())
        )));
    }
    let m = astype(mask, dt)?;
    let m = expand_dims(&expand_dims(&m, Axes::Some(vec![-1]))?, Axes::Some(vec![-3]))?;
    let mut s = mask.shape()[..nd - 2].to_vec();
    s.extend([rb, block, cb, block]);
    let m = broadcast_to(&m, &s)?;
    let mut s2 = mask.shape()[..nd - 2].to_vec();
    s2.extend([rb * block, cb * block]);
    let m = reshape_to(&super::contiguous(&m)?, &s2)?;
    let mut args = vec![SliceArg::full(); nd - 2];
    args.extend([SliceArg::range(0, rows as i64), SliceArg::range(0, cols as i64)]);
    slice(&m, &args)
}

/// MLX's `block_masked_mm`: `a @ b` where blocks of `block_size` of the
/// operands and of the output are masked (bool masks zero a block; float
/// masks scale it).
pub fn block_masked_mm(
    a: &Array,
    b: &Array,
    block_size: usize,
    mask_out: Option<&Array>,
    mask_lhs: Option<&Array>,
    mask_rhs: Option<&Array>,
) -> Result<Array> {
    if block_size == 0 {
        return Err(Error::value("block_masked_mm: block_size must be positive"));
    }
    if a.ndim() < 2 || b.ndim() < 2 {
        return Err(Error::shape(format!(
            "block_masked_mm: operands need 2 dimensions, got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let dt = promote_types(a.dtype(), b.dtype());
    let (m, k) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
    let n = b.shape()[b.ndim() - 1];
    let a = match mask_lhs {
        Some(ml) => multiply(a, &expand_mask(ml, block_size, m, k, dt)?)?,
        None => a.clone(),
    };
    let b = match mask_rhs {
        Some(mr) => multiply(b, &expand_mask(mr, block_size, k, n, dt)?)?,
        None => b.clone(),
    };
    let p = matmul(&a, &b)?;
    match mask_out {
        Some(mo) => multiply(&p, &expand_mask(mo, block_size, m, n, dt)?),
        None => Ok(p),
    }
}

/// MLX's `gather_mm`: matrix products of `a`'s and `b`'s matrices picked
/// by `lhs_indices` and `rhs_indices` (into the flattened batch dimensions;
/// None takes each batch element in order), the indices broadcast together.
pub fn gather_mm(a: &Array, b: &Array, lhs_indices: Option<&Array>, rhs_indices: Option<&Array>) -> Result<Array> {
    if a.ndim() < 2 || b.ndim() < 2 {
        return Err(Error::shape(format!(
            "gather_mm: operands need 2 dimensions, got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let pick = |x: &Array, idx: Option<&Array>| -> Result<Array> {
        let nd = x.ndim();
        let Some(idx) = idx else { return Ok(x.clone()) };
        if !idx.dtype().is_integer() {
            return Err(Error::Dtype(format!("gather_mm: indices must be integers, got {}", idx.dtype())));
        }
        let batch: usize = x.shape()[..nd - 2].iter().product();
        let (r, c) = (x.shape()[nd - 2], x.shape()[nd - 1]);
        let flat = reshape_to(x, &[batch, r, c])?;
        take(&flat, idx, Some(0))
    };
    matmul(&pick(a, lhs_indices)?, &pick(b, rhs_indices)?)
}

/// MLX's `segmented_mm`: for each segment `[start, end)` of the inner
/// dimension (the last axis of `segments`, of size 2), `a[..., :, start:end]
/// @ b[..., start:end, :]`; the result is `(..., segments, M, N)`.
pub fn segmented_mm(a: &Array, b: &Array, segments: &Array) -> Result<Array> {
    real_float_operands("segmented_mm", &[a, b])?;
    if a.ndim() < 2 || b.ndim() < 2 {
        return Err(Error::shape(format!(
            "segmented_mm: operands need 2 dimensions, got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    if !segments.dtype().is_integer() || segments.ndim() == 0 || segments.shape()[segments.ndim() - 1] != 2 {
        return Err(Error::shape(format!(
            "segmented_mm: segments must be integers of shape (..., 2), got {} {}",
            segments.dtype(),
            fmt_shape(segments.shape())
        )));
    }
    let k = a.shape()[a.ndim() - 1];
    let ks = reshape_to(&arange(0.0, k as f64, 1.0, Dtype::Int64)?, &[1, k])?;
    let seg = astype(segments, Dtype::Int64)?;
    let nd = seg.ndim();
    let start = slice(&seg, &[vec![SliceArg::full(); nd - 1], vec![SliceArg::range(0, 1)]].concat())?;
    let end = slice(&seg, &[vec![SliceArg::full(); nd - 1], vec![SliceArg::range(1, 2)]].concat())?;
    // mask[..., s, k]: k inside segment s.
    let mask = logical_and(&super::greater_equal(&ks, &start)?, &super::less(&ks, &end)?)?;
    let dt = promote_types(a.dtype(), b.dtype());
    let mask = expand_dims(&astype(&mask, dt)?, Axes::Some(vec![-2]))?; // [..., S, 1, K]
    let a = expand_dims(a, Axes::Some(vec![-3]))?; // [..., 1, M, K]
    let b = expand_dims(b, Axes::Some(vec![-3]))?; // [..., 1, K, N]
    matmul(&multiply(&a, &mask)?, &b)
}
