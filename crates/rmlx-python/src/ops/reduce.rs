//! Reductions over axes, arg-reductions and softmax.

use rmlx_core::{ops, Array};

use pyo3::PyResult;

use crate::errors::Py as _;
use crate::table::{axes, py_ops, Arr, AxesArg, Tuple};

macro_rules! reductions {
    ($($name:ident => $f:path $([$m:ident])?;)*) => {
        py_ops! { group "reduce"; $(
            #[doc = concat!("`", stringify!($name), "` over `axis` (None: all axes; an int or a sequence), keeping reduced axes as size 1 with `keepdims`.")]
            fn $name(a: Arr, /, axis: Option<AxesArg> = None, keepdims: bool = false, *) -> Array $([$m])? {
                $f(&a, axes(axis), keepdims)
            }
        )* }
    };
}

mod plain {
    use super::*;
    reductions! {
        sum => ops::sum [method]; prod => ops::prod [method]; max => ops::max [method]; min => ops::min [method];
        mean => ops::mean [method]; all => ops::all [method]; any => ops::any [method];
        logsumexp => ops::logsumexp [method]; median => ops::median; count_nonzero => ops::count_nonzero;
    }
}

mod other {
    use super::*;
    py_ops! { group "reduce";
        /// The variance over `axis`, dividing by `N - ddof` (`correction`, the array API's name, wins when given).
        fn var(a: Arr, /, axis: Option<AxesArg> = None, keepdims: bool = false, ddof: usize = 0, *, correction: Option<usize> = None) -> Array [method] {
            ops::var(&a, axes(axis), keepdims, correction.unwrap_or(ddof))
        }

        /// The standard deviation over `axis`, dividing by `N - ddof` (`correction` wins when given).
        fn std_ as "std"(a: Arr, /, axis: Option<AxesArg> = None, keepdims: bool = false, ddof: usize = 0, *, correction: Option<usize> = None) -> Array [method] {
            ops::std(&a, axes(axis), keepdims, correction.unwrap_or(ddof))
        }

        /// Indices of the largest elements along `axis` (of the flattened array when None).
        fn argmax(a: Arr, /, axis: Option<i64> = None, keepdims: bool = false, *) -> Array [method] {
            ops::argmax(&a, axis, keepdims)
        }

        /// Indices of the smallest elements along `axis` (of the flattened array when None).
        fn argmin(a: Arr, /, axis: Option<i64> = None, keepdims: bool = false, *) -> Array [method] {
            ops::argmin(&a, axis, keepdims)
        }

        /// `(min, max)` of `a` over `axis`.
        fn minmax(a: Arr, /, axis: Option<AxesArg> = None, keepdims: bool = false, *) -> Tuple {
            let ax = axes(axis);
            PyResult::Ok(Tuple(vec![ops::min(&a, ax.clone(), keepdims).py()?, ops::max(&a, ax, keepdims).py()?]))
        }

        /// exp(a) / sum(exp(a)) over `axis`, computed stably; `precise` keeps 16-bit inputs in float32 throughout.
        fn softmax(a: Arr, /, axis: Option<AxesArg> = None, *, precise: bool = false) -> Array {
            ops::softmax(&a, axes(axis), precise)
        }
    }
}

crate::table::tables!(self::plain, self::other);
