//! Dtypes: MLX's promotion table for every pair, result_type, issubdtype
//! over all categories, finfo/iinfo, names and sizes, and astype between
//! every pair of dtypes checked against conversions computed here.

use half::{bf16, f16};
use num_complex::Complex32;
use rmlx_core::dtype::ALL_DTYPES;
use rmlx_core::ops;
use rmlx_core::{finfo, iinfo, issubdtype, promote_types, result_type, Array, Dtype, DtypeCategory, Error};

use Dtype::{
    Bfloat16 as BF16, Bool as B, Complex64 as C64, Float16 as F16, Float32 as F32, Float64 as F64, Int16 as I16,
    Int32 as I32, Int64 as I64, Int8 as I8, Uint16 as U16, Uint32 as U32, Uint64 as U64, Uint8 as U8,
};

use crate::common;
use common::*;

// ------------------------------------------------------------ promotion

/// MLX's promotion table (mlx/dtype.cpp), rows and columns in `ALL` order.
/// Where it differs from NumPy: uint64 with a signed integer gives float32,
/// integers with float16/bfloat16 keep the float, float16 with bfloat16
/// gives float32, and float64 with complex64 gives complex64.
#[rustfmt::skip]
const TABLE: [[Dtype; 14]; 14] = [
    //      B    U8   U16  U32  U64  I8   I16  I32  I64  F16  BF16  F32  F64  C64
    /*B  */ [B,   U8,  U16, U32, U64, I8,  I16, I32, I64, F16, BF16, F32, F64, C64],
    /*U8 */ [U8,  U8,  U16, U32, U64, I16, I16, I32, I64, F16, BF16, F32, F64, C64],
    /*U16*/ [U16, U16, U16, U32, U64, I32, I32, I32, I64, F16, BF16, F32, F64, C64],
    /*U32*/ [U32, U32, U32, U32, U64, I64, I64, I64, I64, F16, BF16, F32, F64, C64],
    /*U64*/ [U64, U64, U64, U64, U64, F32, F32, F32, F32, F16, BF16, F32, F64, C64],
    /*I8 */ [I8,  I16, I32, I64, F32, I8,  I16, I32, I64, F16, BF16, F32, F64, C64],
    /*I16*/ [I16, I16, I32, I64, F32, I16, I16, I32, I64, F16, BF16, F32, F64, C64],
    /*I32*/ [I32, I32, I32, I64, F32, I32, I32, I32, I64, F16, BF16, F32, F64, C64],
    /*I64*/ [I64, I64, I64, I64, F32, I64, I64, I64, I64, F16, BF16, F32, F64, C64],
    /*F16*/ [F16, F16, F16, F16, F16, F16, F16, F16, F16, F16, F32,  F32, F64, C64],
    /*BF16*/[BF16,BF16,BF16,BF16,BF16,BF16,BF16,BF16,BF16,F32, BF16, F32, F64, C64],
    /*F32*/ [F32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32,  F32, F64, C64],
    /*F64*/ [F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64,  F64, F64, C64],
    /*C64*/ [C64, C64, C64, C64, C64, C64, C64, C64, C64, C64, C64,  C64, C64, C64],
];

#[test]
fn promote_types_matches_the_mlx_table() {
    for (i, &a) in ALL.iter().enumerate() {
        for (j, &b) in ALL.iter().enumerate() {
            assert_eq!(promote_types(a, b), TABLE[i][j], "promote_types({a}, {b})");
        }
    }
}

#[test]
fn promotion_table_is_symmetric_and_bool_is_the_identity() {
    for (i, &a) in ALL.iter().enumerate() {
        assert_eq!(TABLE[i][i], a);
        assert_eq!(promote_types(a, a), a);
        assert_eq!(promote_types(a, B), a);
        assert_eq!(promote_types(B, a), a);
        for j in 0..14 {
            assert_eq!(TABLE[i][j], TABLE[j][i]);
            assert_eq!(promote_types(ALL[i], ALL[j]), promote_types(ALL[j], ALL[i]));
        }
    }
}

#[test]
fn the_documented_differences_from_numpy() {
    for s in [I8, I16, I32, I64] {
        assert_eq!(promote_types(U64, s), F32, "uint64 with {s}");
    }
    assert_eq!(promote_types(F16, BF16), F32);
    assert_eq!(promote_types(F64, C64), C64);
    for i in [U8, U16, U32, U64, I8, I16, I32, I64] {
        assert_eq!(promote_types(i, F16), F16, "{i} with float16");
        assert_eq!(promote_types(i, BF16), BF16, "{i} with bfloat16");
        assert_eq!(promote_types(i, F32), F32, "{i} with float32");
    }
    assert_eq!(promote_types(U8, I8), I16);
    assert_eq!(promote_types(U16, I16), I32);
    assert_eq!(promote_types(U32, I32), I64);
    assert_eq!(promote_types(U32, I8), I64);
}

#[test]
fn result_type_folds_left_to_right() {
    assert!(matches!(result_type(&[]), Err(Error::Value(_))));
    for &d in &ALL {
        assert_eq!(result_type(&[d]).unwrap(), d);
    }
    assert_eq!(result_type(&[U8, I8, F16]).unwrap(), F16);
    assert_eq!(result_type(&[B, B, B]).unwrap(), B);
    assert_eq!(result_type(&[I8, U8, I32, U16]).unwrap(), I32);
    // MLX's table is not associative; the fold goes left to right like MLX's.
    assert_eq!(result_type(&[U64, I8, F16]).unwrap(), F32);
    assert_eq!(result_type(&[F16, U64, I8]).unwrap(), F16);
    assert_eq!(result_type(&[F16, BF16, F64, C64]).unwrap(), C64);
    for (i, &a) in ALL.iter().enumerate() {
        for (j, &b) in ALL.iter().enumerate() {
            assert_eq!(result_type(&[a, b]).unwrap(), TABLE[i][j]);
        }
    }
}

/// One of the dtype's values read back as f64 (bool: 0/1; complex: the real part).
fn first_as_f64(a: &Array) -> f64 {
    match a.dtype() {
        B => a.to_vec::<bool>().unwrap()[0] as u8 as f64,
        U8 => a.to_vec::<u8>().unwrap()[0] as f64,
        U16 => a.to_vec::<u16>().unwrap()[0] as f64,
        U32 => a.to_vec::<u32>().unwrap()[0] as f64,
        U64 => a.to_vec::<u64>().unwrap()[0] as f64,
        I8 => a.to_vec::<i8>().unwrap()[0] as f64,
        I16 => a.to_vec::<i16>().unwrap()[0] as f64,
        I32 => a.to_vec::<i32>().unwrap()[0] as f64,
        I64 => a.to_vec::<i64>().unwrap()[0] as f64,
        F16 => a.to_vec::<f16>().unwrap()[0].to_f64(),
        BF16 => a.to_vec::<bf16>().unwrap()[0].to_f64(),
        F32 => a.to_vec::<f32>().unwrap()[0] as f64,
        F64 => a.to_vec::<f64>().unwrap()[0],
        C64 => {
            let z = a.to_vec::<Complex32>().unwrap()[0];
            assert_eq!(z.im, 0.0);
            z.re as f64
        }
    }
}

#[test]
fn binary_ops_compute_in_the_promoted_dtype() {
    // 1 + 2 (true + true for bool) for every pair of array dtypes.
    for (i, &a) in ALL.iter().enumerate() {
        for (j, &b) in ALL.iter().enumerate() {
            let x = make_i(&[1], &[1], a);
            let y = make_i(&[2], &[1], b);
            let s = ops::add(&x, &y).unwrap();
            assert_eq!(s.dtype(), TABLE[i][j], "add({a}, {b})");
            // true is 1, so true + 2 = 3 and 1 + true = 2; true + true stays true.
            let e = match (a == B, b == B) {
                (true, true) => 1.0,
                (false, true) => 2.0,
                _ => 3.0,
            };
            assert_eq!(first_as_f64(&s), e, "add({a}, {b})");
            assert_eq!(ops::maximum(&x, &y).unwrap().dtype(), TABLE[i][j], "maximum({a}, {b})");
            assert_eq!(ops::equal(&x, &y).unwrap().dtype(), B, "equal({a}, {b})");
            let w = ops::where_(Array::scalar(true).unwrap(), &x, &y).unwrap();
            assert_eq!(w.dtype(), TABLE[i][j], "where({a}, {b})");
        }
    }
}

// ------------------------------------------------------------ issubdtype

#[test]
fn issubdtype_of_dtypes_and_categories() {
    use DtypeCategory::*;
    let cats = [Generic, Number, Integer, SignedInteger, UnsignedInteger, Inexact, Floating, ComplexFloating];
    for &d in &ALL {
        // Which categories each dtype belongs to.
        let member = |c: DtypeCategory| match c {
            Generic => true,
            Number => d != B,
            Integer => matches!(d, U8 | U16 | U32 | U64 | I8 | I16 | I32 | I64),
            SignedInteger => matches!(d, I8 | I16 | I32 | I64),
            UnsignedInteger => matches!(d, U8 | U16 | U32 | U64),
            Inexact => matches!(d, F16 | BF16 | F32 | F64 | C64),
            Floating => matches!(d, F16 | BF16 | F32 | F64),
            ComplexFloating => d == C64,
        };
        for c in cats {
            assert_eq!(issubdtype(d, c), member(c), "issubdtype({d}, {c:?})");
        }
        for &e in &ALL {
            assert_eq!(issubdtype(d, e), d == e, "issubdtype({d}, {e})");
        }
    }
    // Category with category: the category tree.
    let parent_of = |c: DtypeCategory| -> Vec<DtypeCategory> {
        match c {
            Generic => vec![Generic],
            Number => vec![Number, Generic],
            Integer => vec![Integer, Number, Generic],
            Inexact => vec![Inexact, Number, Generic],
            SignedInteger => vec![SignedInteger, Integer, Number, Generic],
            UnsignedInteger => vec![UnsignedInteger, Integer, Number, Generic],
            Floating => vec![Floating, Inexact, Number, Generic],
            ComplexFloating => vec![ComplexFloating, Inexact, Number, Generic],
        }
    };
    for a in cats {
        for b in cats {
            assert_eq!(issubdtype(a, b), parent_of(a).contains(&b), "issubdtype({a:?}, {b:?})");
        }
        // A category is never a kind of one concrete dtype.
        for &d in &ALL {
            assert!(!issubdtype(a, d), "issubdtype({a:?}, {d})");
        }
    }
}

// ------------------------------------------------------------ finfo, iinfo

#[test]
fn finfo_values() {
    let f = finfo(F16).unwrap();
    assert_eq!((f.dtype, f.bits, f.max, f.min), (F16, 16, 65504.0, -65504.0));
    assert_eq!(f.eps, 2f64.powi(-10));
    assert_eq!(f.tiny, 2f64.powi(-14));
    let f = finfo(BF16).unwrap();
    assert_eq!((f.dtype, f.bits), (BF16, 16));
    assert_eq!(f.max, (2.0 - 2f64.powi(-7)) * 2f64.powi(127));
    assert_eq!(f.min, -f.max);
    assert_eq!(f.eps, 2f64.powi(-7));
    assert_eq!(f.tiny, 2f64.powi(-126));
    let f = finfo(F32).unwrap();
    assert_eq!((f.dtype, f.bits), (F32, 32));
    assert_eq!(f.max, (2.0 - 2f64.powi(-23)) * 2f64.powi(127));
    assert_eq!(f.min, -f.max);
    assert_eq!(f.eps, 2f64.powi(-23));
    assert_eq!(f.tiny, 2f64.powi(-126));
    let f = finfo(F64).unwrap();
    assert_eq!((f.dtype, f.bits), (F64, 64));
    assert_eq!((f.max, f.min), (f64::MAX, -f64::MAX));
    assert_eq!(f.eps, 2f64.powi(-52));
    assert_eq!(f.tiny, 2f64.powi(-1022));
    // complex64: the limits of its float32 parts, reported as float32 (MLX, NumPy).
    let f = finfo(C64).unwrap();
    assert_eq!((f.dtype, f.bits), (F32, 32));
    assert_eq!((f.max, f.eps), (finfo(F32).unwrap().max, 2f64.powi(-23)));
    for d in [B, U8, U16, U32, U64, I8, I16, I32, I64] {
        assert!(matches!(finfo(d), Err(Error::Dtype(_))), "finfo({d})");
    }
}

#[test]
fn iinfo_values() {
    let cases: [(Dtype, usize, i128, i128); 8] = [
        (U8, 8, 0, 255),
        (U16, 16, 0, 65535),
        (U32, 32, 0, 4_294_967_295),
        (U64, 64, 0, u64::MAX as i128),
        (I8, 8, -128, 127),
        (I16, 16, -32768, 32767),
        (I32, 32, i32::MIN as i128, i32::MAX as i128),
        (I64, 64, i64::MIN as i128, i64::MAX as i128),
    ];
    for (d, bits, min, max) in cases {
        let i = iinfo(d).unwrap();
        assert_eq!((i.dtype, i.bits, i.min, i.max), (d, bits, min, max), "iinfo({d})");
    }
    for d in [B, F16, BF16, F32, F64, C64] {
        assert!(matches!(iinfo(d), Err(Error::Dtype(_))), "iinfo({d})");
    }
}

// ------------------------------------------------------ names, sizes, kinds

#[test]
fn names_sizes_and_kinds() {
    let names = [
        "bool",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "int8",
        "int16",
        "int32",
        "int64",
        "float16",
        "bfloat16",
        "float32",
        "float64",
        "complex64",
    ];
    let sizes = [1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 2, 4, 8, 8];
    assert_eq!(ALL_DTYPES, ALL);
    for (i, &d) in ALL.iter().enumerate() {
        assert_eq!(d.name(), names[i]);
        assert_eq!(d.to_string(), names[i]);
        assert_eq!(Dtype::from_name(names[i]).unwrap(), d);
        assert_eq!(d.size(), sizes[i], "{d}");
        assert_eq!(d.is_bool(), i == 0);
        assert_eq!(d.is_unsigned(), (1..=4).contains(&i));
        assert_eq!(d.is_signed_int(), (5..=8).contains(&i));
        assert_eq!(d.is_integer(), (1..=8).contains(&i));
        assert_eq!(d.is_float(), (9..=12).contains(&i));
        assert_eq!(d.is_complex(), i == 13);
        assert_eq!(d.is_inexact(), i >= 9);
        assert_eq!(d.to_inexact(), if i >= 9 { d } else { F32 });
        let a = make_i(&[1, 0, 1], &[3], d);
        assert_eq!((a.dtype(), a.itemsize(), a.nbytes()), (d, sizes[i], 3 * sizes[i]));
    }
    for bad in ["float", "int", "Float32", "complex128", ""] {
        assert!(matches!(Dtype::from_name(bad), Err(Error::Dtype(_))), "{bad:?}");
    }
}

// ------------------------------------------------------------ astype

/// A source value.
#[derive(Debug, Clone, Copy)]
enum V {
    I(i128),
    F(f64),
    C(f32, f32),
}

/// A converted value, compared exactly (NaN equal to NaN, the sign of zero counted).
#[derive(Debug, Clone, Copy)]
enum E {
    I(i128),
    F(f64),
    C(f32, f32),
}

impl PartialEq for E {
    fn eq(&self, o: &E) -> bool {
        let fe =
            |a: f64, b: f64| (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative());
        match (*self, *o) {
            (E::I(a), E::I(b)) => a == b,
            (E::F(a), E::F(b)) => fe(a, b),
            (E::C(a, b), E::C(c, d)) => fe(a as f64, c as f64) && fe(b as f64, d as f64),
            _ => false,
        }
    }
}

/// i128 -> f32 rounded to odd (for a second, correct rounding to f16/bf16).
fn i128_f32_odd(v: i128) -> f32 {
    let f = v as f32;
    if f as i128 == v || f.to_bits() & 1 == 1 {
        return f;
    }
    let shrink = (f as i128).abs() > v.abs();
    f32::from_bits(if shrink { f.to_bits() - 1 } else { f.to_bits() + 1 })
}

/// The integer `v` correctly rounded to the float dtype `dt` (as NumPy's C casts do).
fn int_to_float(v: i128, dt: Dtype) -> f64 {
    match dt {
        F16 => f16::from_f32(i128_f32_odd(v)).to_f64(),
        BF16 => bf16::from_f32(i128_f32_odd(v)).to_f64(),
        F32 => v as f32 as f64,
        F64 => v as f64,
        d => panic!("{d}"),
    }
}

/// What NumPy's astype gives for `v` in `to`; None where C leaves it undefined
/// (NaN, infinities and out-of-range floats converted to integers).
fn convert(v: V, to: Dtype) -> Option<E> {
    if to == B {
        return Some(E::I(match v {
            V::I(i) => (i != 0) as i128,
            V::F(x) => (x != 0.0) as i128,
            V::C(re, im) => (re != 0.0 || im != 0.0) as i128,
        }));
    }
    if to == C64 {
        return Some(match v {
            V::I(i) => E::C(i as f32, 0.0),
            V::F(x) => E::C(x as f32, 0.0),
            V::C(re, im) => E::C(re, im),
        });
    }
    let real = match v {
        V::I(i) => {
            return Some(if to.is_float() { E::F(int_to_float(i, to)) } else { E::I(wrap(i, to)) });
        }
        V::F(x) => x,
        V::C(re, _) => re as f64,
    };
    if to.is_float() {
        return Some(E::F(q(real, to)));
    }
    let (lo, hi) = int_range(to);
    let t = real.trunc();
    (t.is_finite() && (lo..=hi).contains(&(t as i128))).then_some(E::I(t as i128))
}

fn source_values(dt: Dtype) -> Vec<V> {
    let fl = |dt: Dtype| -> Vec<V> {
        let mut v = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.75,
            -2.75,
            100.9,
            -100.9,
            127.0,
            -128.0,
            255.0,
            255.9,
            256.0,
            -129.0,
            1000.5,
            -32768.0,
            65535.0,
            65504.0,
            1e9,
            -3e9,
            4294967295.0,
            1e-3,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        if dt == F64 {
            v.extend([
                // Rounded twice (through f32) these would come out differently.
                1.0 + 2f64.powi(-11) + 2f64.powi(-40),
                -(1.0 + 2f64.powi(-11) + 2f64.powi(-40)),
                1.0 + 2f64.powi(-8) + 2f64.powi(-40),
                1.0 + 2f64.powi(-8) - 2f64.powi(-40),
                65519.99,
                65520.0,
                1e-8,
                3e-8,
                1e300,
                1e-300,
                9.007199254740994e15,
                1.8446744073709552e19,
                -(2f64.powi(63)),
                0.1,
            ]);
        }
        if dt == F32 {
            v.extend([1.0 + 2f64.powi(-11) + 2f64.powi(-23), 3.4e38, 1e-40]);
        }
        v.into_iter().map(|x| V::F(q(x, dt))).collect()
    };
    match dt {
        B => vec![V::I(0), V::I(1)],
        F16 | BF16 | F32 | F64 => fl(dt),
        C64 => [
            (1.5, -2.0),
            (0.0, 0.0),
            (0.0, 1.0),
            (-3.7, 0.5),
            (-0.0, -0.0),
            (f32::NAN, 0.0),
            (f32::INFINITY, 1.0),
            (255.5, 0.0),
        ]
        .iter()
        .map(|&(re, im)| V::C(re, im))
        .collect(),
        _ => {
            let (lo, hi) = int_range(dt);
            let mut v =
                vec![lo, lo + 1, -129, -128, -1, 0, 1, 2, 127, 128, 255, 256, 65535, 65536, 65519, 65520, 70000];
            v.extend([1 << 24, (1 << 24) + 1, 4_294_967_295, 4_294_967_296, hi - 1, hi]);
            if dt.size() == 8 {
                // 64-bit values that a conversion through f64 would round twice.
                let big = [
                    (1i128 << 53) + 1,
                    (1i128 << 60) + (1i128 << 36) + 1,
                    (1i128 << 60) + (1i128 << 52) + 1,
                    (1i128 << 62) + (1i128 << 38) + 1,
                    (1i128 << 63) + (1i128 << 39) + 1,
                    -((1i128 << 60) + (1i128 << 36) + 1),
                    -((1i128 << 62) + (1i128 << 38) + 1),
                    u64::MAX as i128 - 1,
                ];
                v.extend(big);
            }
            v.retain(|x| (lo..=hi).contains(x));
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(V::I).collect()
        }
    }
}

fn build(vals: &[V], shape: &[usize], dt: Dtype) -> Array {
    match dt {
        C64 => {
            let v: Vec<Complex32> = vals
                .iter()
                .map(|v| match *v {
                    V::C(re, im) => Complex32::new(re, im),
                    _ => unreachable!(),
                })
                .collect();
            make_c(&v, shape)
        }
        F16 | BF16 | F32 | F64 => {
            let v: Vec<f64> = vals
                .iter()
                .map(|v| match *v {
                    V::F(x) => x,
                    _ => unreachable!(),
                })
                .collect();
            make_f(&v, shape, dt)
        }
        _ => {
            let v: Vec<i128> = vals
                .iter()
                .map(|v| match *v {
                    V::I(x) => x,
                    _ => unreachable!(),
                })
                .collect();
            make_i(&v, shape, dt)
        }
    }
}

fn read(a: &Array) -> Vec<E> {
    macro_rules! ri {
        ($t:ty) => {
            a.to_vec::<$t>().unwrap().into_iter().map(|v| E::I(v as i128)).collect()
        };
    }
    match a.dtype() {
        B => a.to_vec::<bool>().unwrap().into_iter().map(|v| E::I(v as i128)).collect(),
        U8 => ri!(u8),
        U16 => ri!(u16),
        U32 => ri!(u32),
        U64 => ri!(u64),
        I8 => ri!(i8),
        I16 => ri!(i16),
        I32 => ri!(i32),
        I64 => ri!(i64),
        F16 => a.to_vec::<f16>().unwrap().into_iter().map(|v| E::F(v.to_f64())).collect(),
        BF16 => a.to_vec::<bf16>().unwrap().into_iter().map(|v| E::F(v.to_f64())).collect(),
        F32 => a.to_vec::<f32>().unwrap().into_iter().map(|v| E::F(v as f64)).collect(),
        F64 => a.to_vec::<f64>().unwrap().into_iter().map(E::F).collect(),
        C64 => a.to_vec::<Complex32>().unwrap().into_iter().map(|z| E::C(z.re, z.im)).collect(),
    }
}

fn check_astype(from: Dtype, to: Dtype) {
    let (vals, exp): (Vec<V>, Vec<E>) =
        source_values(from).into_iter().filter_map(|v| convert(v, to).map(|e| (v, e))).unzip();
    let n = vals.len();
    assert!(n > 0, "{from} -> {to}: nothing to convert");
    // Contiguous.
    let y = ops::astype(&build(&vals, &[n], from), to).unwrap();
    assert_eq!((y.dtype(), y.shape()), (to, &[n][..]), "{from} -> {to}");
    let got = read(&y);
    for i in 0..n {
        assert_eq!(got[i], exp[i], "astype {from} -> {to}: {:?}", vals[i]);
    }
    // Transposed (strided) and reversed inputs.
    let mut two = vals.clone();
    two.extend(vals.iter().rev());
    let t = ops::transpose(&build(&two, &[2, n], from), &[1, 0]).unwrap();
    let y = ops::astype(&t, to).unwrap();
    assert_eq!(y.shape(), &[n, 2]);
    let got = read(&y);
    for i in 0..n {
        assert_eq!((got[2 * i], got[2 * i + 1]), (exp[i], exp[n - 1 - i]), "astype {from} -> {to} (transposed)");
    }
    // 0-d and empty.
    let y = ops::astype(&build(&vals[..1], &[], from), to).unwrap();
    assert_eq!((y.ndim(), read(&y)), (0, vec![exp[0]]), "{from} -> {to} (0-d)");
    let y = ops::astype(&build(&[], &[3, 0], from), to).unwrap();
    assert_eq!((y.dtype(), y.shape()), (to, &[3, 0][..]));
    assert!(read(&y).is_empty());
    // Large, and a temporary whose buffer the conversion may reuse.
    let big: Vec<V> = vals.iter().copied().cycle().take(5000).collect();
    let y =
        ops::astype(&ops::contiguous(&ops::transpose(&build(&big, &[1, 5000], from), &[1, 0]).unwrap()).unwrap(), to)
            .unwrap();
    let got = read(&y);
    for (i, g) in got.iter().enumerate() {
        assert_eq!(*g, exp[i % n], "astype {from} -> {to} (large): {:?}", vals[i % n]);
    }
}

macro_rules! astype_from {
    ($($name:ident => $d:expr),* $(,)?) => {$(
        #[test]
        fn $name() {
            for to in ALL {
                check_astype($d, to);
            }
        }
    )*};
}

astype_from! {
    astype_from_bool => B,
    astype_from_uint8 => U8,
    astype_from_uint16 => U16,
    astype_from_uint32 => U32,
    astype_from_uint64 => U64,
    astype_from_int8 => I8,
    astype_from_int16 => I16,
    astype_from_int32 => I32,
    astype_from_int64 => I64,
    astype_from_float16 => F16,
    astype_from_bfloat16 => BF16,
    astype_from_float32 => F32,
    astype_from_float64 => F64,
    astype_from_complex64 => C64,
}

#[test]
fn astype_known_values() {
    // Floats truncate toward zero.
    let x = Array::from_slice(&[-2.9f64, -0.9, 0.9, 2.9, 1e10], &[5]).unwrap();
    assert_eq!(ops::astype(&x, I64).unwrap().to_vec::<i64>().unwrap(), vec![-2, 0, 0, 2, 10_000_000_000]);
    assert_eq!(ops::astype(&x, I32).unwrap().to_vec::<i32>().unwrap()[..4], [-2, 0, 0, 2]);
    // Integers wrap to the narrower width.
    let x = Array::from_slice(&[300i32, -1, 65536 + 7], &[3]).unwrap();
    assert_eq!(ops::astype(&x, U8).unwrap().to_vec::<u8>().unwrap(), vec![44, 255, 7]);
    assert_eq!(ops::astype(&x, I8).unwrap().to_vec::<i8>().unwrap(), vec![44, -1, 7]);
    // uint64 values above i64::MAX.
    let x = Array::from_slice(&[u64::MAX, 1 << 63], &[2]).unwrap();
    assert_eq!(ops::astype(&x, I64).unwrap().to_vec::<i64>().unwrap(), vec![-1, i64::MIN]);
    assert_eq!(
        ops::astype(&x, F64).unwrap().to_vec::<f64>().unwrap(),
        vec![18446744073709551615.0, 9223372036854775808.0]
    );
    assert_eq!(ops::astype(&x, F16).unwrap().to_vec::<f16>().unwrap(), vec![f16::INFINITY; 2]);
    assert_eq!(ops::astype(&x, U32).unwrap().to_vec::<u32>().unwrap(), vec![u32::MAX, 0]);
    assert_eq!(ops::astype(&x, B).unwrap().to_vec::<bool>().unwrap(), vec![true, true]);
    // Correct rounding of 64-bit integers to float32: 2^60 + 2^36 + 1 rounds up.
    let x = Array::from_slice(&[(1i64 << 60) + (1 << 36) + 1], &[1]).unwrap();
    assert_eq!(ops::astype(&x, F32).unwrap().item::<f32>().unwrap(), ((1u64 << 60) + (1 << 37)) as f32);
    // Correct rounding of float64 to float16 (NumPy): not through float32.
    let x = Array::from_slice(&[1.0 + 2f64.powi(-11) + 2f64.powi(-40), 65519.99, 65520.0], &[3]).unwrap();
    let h = ops::astype(&x, F16).unwrap().to_vec::<f16>().unwrap();
    assert_eq!(h, vec![f16::from_f64(1.0 + 2f64.powi(-10)), f16::from_f64(65504.0), f16::INFINITY]);
    // Bool from floats: NaN is true, -0.0 is false.
    let x = Array::from_slice(&[f32::NAN, -0.0, 0.25], &[3]).unwrap();
    assert_eq!(ops::astype(&x, B).unwrap().to_vec::<bool>().unwrap(), vec![true, false, true]);
    // Complex to real takes the real part; to bool looks at both parts.
    let z = Array::from_slice(&[Complex32::new(-2.5, 9.0), Complex32::new(0.0, 1.0)], &[2]).unwrap();
    assert_eq!(ops::astype(&z, F32).unwrap().to_vec::<f32>().unwrap(), vec![-2.5, 0.0]);
    assert_eq!(ops::astype(&z, I16).unwrap().to_vec::<i16>().unwrap(), vec![-2, 0]);
    assert_eq!(ops::astype(&z, B).unwrap().to_vec::<bool>().unwrap(), vec![true, true]);
    // Bool to numbers is 0/1.
    let b = Array::from_slice(&[true, false], &[2]).unwrap();
    assert_eq!(
        ops::astype(&b, C64).unwrap().to_vec::<Complex32>().unwrap(),
        vec![Complex32::new(1.0, 0.0), Complex32::new(0.0, 0.0)]
    );
    assert_eq!(ops::astype(&b, BF16).unwrap().to_vec::<bf16>().unwrap(), vec![bf16::ONE, bf16::ZERO]);
}

#[test]
fn out_of_range_float_to_int_does_not_panic() {
    // C leaves these undefined; they must still give some value, not a panic.
    let x = Array::from_slice(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 3e9], &[6]).unwrap();
    for to in [U8, U16, U32, U64, I8, I16, I32, I64] {
        let y = ops::astype(&x, to).unwrap();
        assert_eq!(read(&y).len(), 6, "{to}");
    }
    let z = Array::from_slice(&[Complex32::new(f32::NAN, 1.0), Complex32::new(f32::INFINITY, 0.0)], &[2]).unwrap();
    for to in [U8, I64] {
        assert_eq!(read(&ops::astype(&z, to).unwrap()).len(), 2);
    }
}

#[test]
fn to_vec_and_item_convert_like_astype() {
    let x = Array::from_slice(&[-2.75f32, 300.5], &[2]).unwrap();
    assert_eq!(x.to_vec::<i32>().unwrap(), vec![-2, 300]);
    assert_eq!(x.to_vec::<u8>().unwrap(), vec![254, 44]);
    assert_eq!(x.to_vec::<bool>().unwrap(), vec![true, true]);
    assert_eq!(x.to_vec::<f64>().unwrap(), vec![-2.75, 300.5]);
    let s = Array::scalar(7i16).unwrap();
    assert_eq!(s.item::<f32>().unwrap(), 7.0);
    assert_eq!(s.item::<Complex32>().unwrap(), Complex32::new(7.0, 0.0));
    assert!(matches!(x.item::<f32>(), Err(Error::Value(_))));
    assert_eq!(x.dtype(), F32, "reading does not change the array");
}
