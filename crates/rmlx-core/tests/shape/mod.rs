//! Shape ops: reshape, flatten, squeeze, transpose, broadcast, slicing with
//! Python semantics, concatenate/stack/split, tile/repeat/pad/flip/roll,
//! diagonals and triangles, as_strided, contiguous and view. Values are
//! checked against index arithmetic done here; view ops are checked to share
//! their input's buffer.

use rmlx_core::ops::{self, SliceArg, Split};
use rmlx_core::primitive::PadMode;
use rmlx_core::{Array, Axes, Dtype};

use crate::common;
use common::{py_slice, ravel, unravel};

mod diagonal;
mod gather;
mod join;
mod reshape;
mod slicing;
mod views;

// ---------------------------------------------------------------- helpers

/// 0, 1, 2, ... as float32 in `shape`.
fn iota(shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|i| i as f32).collect();
    Array::from_slice(&v, shape).unwrap()
}

fn iota_nd(shape: &[usize]) -> Nd {
    let n: usize = shape.iter().product();
    Nd { data: (0..n).map(|i| i as f64).collect(), shape: shape.to_vec() }
}

#[derive(Clone, Debug, PartialEq)]
struct Nd {
    data: Vec<f64>,
    shape: Vec<usize>,
}

impl Nd {
    fn size(&self) -> usize {
        self.shape.iter().product()
    }
    fn at(&self, idx: &[usize]) -> f64 {
        self.data[ravel(idx, &self.shape)]
    }
    /// out[idx] = self[src(idx)] over `shape`.
    fn gather(&self, shape: &[usize], src: impl Fn(&[usize]) -> Vec<usize>) -> Nd {
        let n: usize = shape.iter().product();
        let data = (0..n).map(|i| self.at(&src(&unravel(i, shape)))).collect();
        Nd { data, shape: shape.to_vec() }
    }
    fn permute(&self, perm: &[usize]) -> Nd {
        let shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        self.gather(&shape, |idx| {
            let mut s = vec![0; idx.len()];
            for (k, &p) in perm.iter().enumerate() {
                s[p] = idx[k];
            }
            s
        })
    }
    /// Picks `indices` along every axis (one list per axis).
    fn take_all(&self, indices: &[Vec<usize>]) -> Nd {
        let shape: Vec<usize> = indices.iter().map(|v| v.len()).collect();
        self.gather(&shape, |idx| idx.iter().enumerate().map(|(k, &i)| indices[k][i]).collect())
    }
    fn take(&self, axis: usize, indices: &[usize]) -> Nd {
        let all: Vec<Vec<usize>> = (0..self.shape.len())
            .map(|k| if k == axis { indices.to_vec() } else { (0..self.shape[k]).collect() })
            .collect();
        self.take_all(&all)
    }
    fn reshape(&self, shape: &[usize]) -> Nd {
        assert_eq!(self.size(), shape.iter().product::<usize>());
        Nd { data: self.data.clone(), shape: shape.to_vec() }
    }
}

fn check(got: &Array, want: &Nd, ctx: &str) {
    assert_eq!(got.shape(), &want.shape[..], "{ctx}: shape");
    let v = got.to_vec::<f64>().unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(v, want.data, "{ctx}: values");
}

fn assert_view(x: &Array, base: &Array, ctx: &str) {
    x.eval().unwrap();
    base.eval().unwrap();
    assert!(x.shares_buffer_with(base), "{ctx}: expected a view of the input's buffer");
}
