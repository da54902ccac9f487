//! `+ - * / % & | ^ << >> -x !x` on arrays and scalars. These panic with the
//! op's error message when the operands do not fit (e.g. shapes that do not
//! broadcast); use the functions in `ops` to get a `Result` instead.

use crate::array::Array;
use crate::ops;
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Rem, Shl, Shr, Sub};

macro_rules! binop {
    ($trait:ident, $method:ident, $f:path) => {
        impl<T: Into<ops::Operand>> $trait<T> for &Array {
            type Output = Array;
            /// Panics with the op's error message if the operands do not fit.
            fn $method(self, rhs: T) -> Array {
                $f(self, rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }
        impl<T: Into<ops::Operand>> $trait<T> for Array {
            type Output = Array;
            /// Panics with the op's error message if the operands do not fit.
            fn $method(self, rhs: T) -> Array {
                $f(&self, rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }
    };
}
binop!(Add, add, ops::add);
binop!(Sub, sub, ops::subtract);
binop!(Mul, mul, ops::multiply);
binop!(Div, div, ops::divide);
binop!(Rem, rem, ops::remainder);
binop!(BitAnd, bitand, ops::bitwise_and);
binop!(BitOr, bitor, ops::bitwise_or);
binop!(BitXor, bitxor, ops::bitwise_xor);
binop!(Shl, shl, ops::left_shift);
binop!(Shr, shr, ops::right_shift);

impl Neg for &Array {
    type Output = Array;
    /// Panics for bool arrays (use `!` or `ops::logical_not`).
    fn neg(self) -> Array {
        ops::negative(self).unwrap_or_else(|e| panic!("{e}"))
    }
}
impl Neg for Array {
    type Output = Array;
    /// Panics for bool arrays (use `!` or `ops::logical_not`).
    fn neg(self) -> Array {
        -&self
    }
}
impl Not for &Array {
    type Output = Array;
    /// Logical not for bool, bitwise not for integers; panics for floats.
    fn not(self) -> Array {
        let r = if self.dtype().is_bool() { ops::logical_not(self) } else { ops::bitwise_invert(self) };
        r.unwrap_or_else(|e| panic!("{e}"))
    }
}
impl Not for Array {
    type Output = Array;
    /// Logical not for bool, bitwise not for integers; panics for floats.
    fn not(self) -> Array {
        !&self
    }
}
