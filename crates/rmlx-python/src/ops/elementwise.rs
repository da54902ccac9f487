//! Elementwise ops: unary math, binary ops with broadcasting and weak
//! scalars, selection, comparisons of whole arrays.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rmlx_core::{ops, Array, Operand};

use crate::convert::{operand_pair, to_array};
use crate::table::{py_ops, Arr, Obj, Opnd, Value};

/// The operands of a binary op: two Python scalars make the first an array of its own dtype.
fn both(a: &pyo3::Bound<'_, pyo3::PyAny>, b: &pyo3::Bound<'_, pyo3::PyAny>) -> PyResult<(Operand, Operand)> {
    let (x, y) = operand_pair(a, b)?;
    if matches!((&x, &y), (Operand::Scalar(_), Operand::Scalar(_))) {
        return Ok((Operand::Array(to_array(a, None)?), y));
    }
    Ok((x, y))
}

macro_rules! unary_ops {
    ($($name:ident => $f:path $([$m:ident])?;)*) => {
        py_ops! { group "elementwise"; $(
            #[doc = concat!("`", stringify!($name), "` of each element of `a`.")]
            fn $name(a: Arr, /, *) -> Array $([$m])? { $f(&a) }
        )* }
    };
}

mod unary {
    use super::*;
    unary_ops! {
        abs => ops::abs [method]; sign => ops::sign; negative => ops::negative; square => ops::square [method];
        sqrt => ops::sqrt [method]; rsqrt => ops::rsqrt [method]; reciprocal => ops::reciprocal [method];
        exp => ops::exp [method]; expm1 => ops::expm1; log => ops::log [method]; log2 => ops::log2 [method];
        log10 => ops::log10 [method]; log1p => ops::log1p [method];
        sin => ops::sin [method]; cos => ops::cos [method]; tan => ops::tan; arcsin => ops::arcsin;
        arccos => ops::arccos; arctan => ops::arctan;
        sinh => ops::sinh; cosh => ops::cosh; tanh => ops::tanh; arcsinh => ops::arcsinh; arccosh => ops::arccosh;
        arctanh => ops::arctanh;
        erf => ops::erf; erfinv => ops::erfinv; sigmoid => ops::sigmoid;
        floor => ops::floor; ceil => ops::ceil; trunc => ops::trunc;
        isnan => ops::isnan; isinf => ops::isinf; isfinite => ops::isfinite; isposinf => ops::isposinf;
        isneginf => ops::isneginf;
        logical_not => ops::logical_not; bitwise_invert => ops::bitwise_invert;
        conj => ops::conj [method]; conjugate => ops::conj; real => ops::real; imag => ops::imag;
        degrees => ops::degrees; radians => ops::radians;
        stop_gradient => ops::stop_gradient;
    }
}

macro_rules! binary_ops {
    ($($name:ident => $f:path;)*) => {
        py_ops! { group "elementwise"; $(
            #[doc = concat!("`", stringify!($name), "` of `a` and `b`, elementwise with broadcasting; Python scalars take the array's dtype.")]
            fn $name(a: Value<'_>, b: Value<'_>, /, *) -> Array {
                let (x, y) = both(&a, &b)?;
                $f(x, y)
            }
        )* }
    };
}

mod binary {
    use super::*;
    binary_ops! {
        add => ops::add; subtract => ops::subtract; multiply => ops::multiply; divide => ops::divide;
        floor_divide => ops::floor_divide; remainder => ops::remainder; power => ops::power;
        maximum => ops::maximum; minimum => ops::minimum; logaddexp => ops::logaddexp; arctan2 => ops::arctan2;
        equal => ops::equal; not_equal => ops::not_equal; less => ops::less; less_equal => ops::less_equal;
        greater => ops::greater; greater_equal => ops::greater_equal;
        logical_and => ops::logical_and; logical_or => ops::logical_or; logical_xor => ops::logical_xor;
        bitwise_and => ops::bitwise_and; bitwise_or => ops::bitwise_or; bitwise_xor => ops::bitwise_xor;
        left_shift => ops::left_shift; right_shift => ops::right_shift;
    }
}

mod other {
    use super::*;
    py_ops! { group "elementwise";
        /// `a` itself (`+a`).
        fn positive(a: Arr, /, *) -> Array { PyResult::Ok(a.0.clone()) }

        /// Each element rounded to `decimals` decimal places (halves to even).
        fn round(a: Arr, /, decimals: i32 = 0, *) -> Array [method] { ops::round(&a, decimals) }

        /// `a` with NaN replaced by `nan` and infinities by `posinf` / `neginf` (default: the dtype's largest finite values).
        fn nan_to_num(a: Arr, nan: f64 = 0.0, posinf: Option<f64> = None, neginf: Option<f64> = None, *) -> Array {
            ops::nan_to_num(&a, nan, posinf, neginf)
        }

        /// The floor quotient and the remainder of `a` by `b`, as a pair of arrays.
        fn divmod(a: Value<'_>, b: Value<'_>, /, *) -> (Array, Array) {
            let (x, y) = both(&a, &b)?;
            ops::divmod(x, y)
        }

        /// Elements of `x` where `condition` holds, else of `y` (broadcast together).
        fn where_ as "where"(condition: Opnd, x: Value<'_>, y: Value<'_>, /, *) -> Array {
            let (a, b) = operand_pair(&x, &y)?;
            ops::where_(condition.0.clone(), a, b)
        }

        /// `a` limited to `[a_min, a_max]` (either bound may be None).
        fn clip(a: Arr, /, a_min: Obj, a_max: Obj, *) -> Array {
            let lo = if a_min.is_none() { None } else { Some(crate::convert::operand(a_min)?) };
            let hi = if a_max.is_none() { None } else { Some(crate::convert::operand(a_max)?) };
            if lo.is_none() && hi.is_none() {
                return Err(PyValueError::new_err("clip: a_min and a_max cannot both be None"));
            }
            PyResult::Ok(crate::errors::Py::py(ops::clip(&a, lo, hi))?)
        }

        /// Where `|a - b| <= atol + rtol * |b|`, elementwise.
        fn isclose(a: Arr, b: Arr, /, rtol: f64 = 1e-5, atol: f64 = 1e-8, *, equal_nan: bool = false) -> Array {
            ops::isclose(&a, &b, rtol, atol, equal_nan)
        }

        /// Whether every element of `a` is close to `b` (a 0-d bool array).
        fn allclose(a: Arr, b: Arr, /, rtol: f64 = 1e-5, atol: f64 = 1e-8, *, equal_nan: bool = false) -> Array {
            ops::allclose(&a, &b, rtol, atol, equal_nan)
        }

        /// Whether `a` and `b` have the same shape and elements (a 0-d bool array).
        fn array_equal(a: Arr, b: Arr, /, equal_nan: bool = false, *) -> Array {
            ops::array_equal(&a, &b, equal_nan)
        }
    }
}

crate::table::tables!(self::unary, self::binary, self::other);
