//! Bad input gives an `Error` of the right kind whose message names what was
//! expected and what came: one test per kind of mistake the issue lists.

use rmlx_core::ops::{self, Split};
use rmlx_core::{Array, Axes, Dtype, Error};

fn f32s(shape: &[usize]) -> Array {
    let n = shape.iter().product();
    Array::from_slice(&vec![1.0f32; n], shape).unwrap()
}

fn msg(e: Error) -> String {
    e.to_string()
}

#[test]
fn mismatched_shapes_name_both() {
    let e = ops::multiply(f32s(&[2, 3]), f32s(&[3, 2])).unwrap_err();
    assert!(matches!(e, Error::Shape(_)));
    assert!(msg(e).contains("(2, 3) and (3, 2)"));
    let e = ops::matmul(&f32s(&[2, 3]), &f32s(&[4, 5])).unwrap_err();
    assert_eq!(msg(e), "matmul: inner dimensions differ: (2, 3) @ (4, 5)");
    let e = ops::concatenate(&[f32s(&[2, 3]), f32s(&[2, 4])], 0).unwrap_err();
    assert!(msg(e).contains("(2, 3) and (2, 4)"));
}

#[test]
fn axes_out_of_range_name_the_axis_and_rank() {
    let a = f32s(&[2, 3]);
    for e in [
        ops::sum(&a, 2, false).unwrap_err(),
        ops::softmax(&a, -3, false).unwrap_err(),
        ops::argmax(&a, Some(5), false).unwrap_err(),
        ops::swapaxes(&a, 0, 2).unwrap_err(),
    ] {
        assert!(matches!(e, Error::Axis { .. }), "{e}");
        assert!(msg(e).contains("2 dimensions"));
    }
    let e = ops::sum(&a, [0i64, 0], false).unwrap_err();
    assert!(msg(e).contains("repeated axis"));
}

#[test]
fn impossible_reshapes_name_both_shapes() {
    let e = ops::reshape(&f32s(&[2, 3]), &[4, 2]).unwrap_err();
    assert!(matches!(e, Error::Shape(_)));
    assert!(msg(e).contains("(2, 3)") && msg(ops::reshape(&f32s(&[2, 3]), &[4, 2]).unwrap_err()).contains("(4, 2)"));
    let e = ops::reshape(&f32s(&[2, 3]), &[-1, 4]).unwrap_err();
    assert!(msg(e).contains("-1"));
}

#[test]
fn negative_sizes_are_rejected() {
    let e = ops::reshape(&f32s(&[6]), &[-2, -3]).unwrap_err();
    assert!(msg(e).contains("negative dimension -2"));
    let e = ops::arange(0.0, 5.0, 0.0, Dtype::Float32).unwrap_err();
    assert!(msg(e).contains("step"));
}

#[test]
fn element_counts_that_overflow_are_errors() {
    let huge = [usize::MAX / 2, 3];
    assert!(msg(ops::zeros(&huge, Dtype::Float32).unwrap_err()).contains("more elements than fit"));
    assert!(Array::from_slice(&[1.0f32], &huge).is_err());
    let e = ops::broadcast_to(&f32s(&[1, 1]), &[usize::MAX, 2]).unwrap_err();
    assert!(matches!(e, Error::Overflow(_)), "{e}");
    // Element count fits, bytes do not.
    let e = ops::zeros(&[usize::MAX / 4], Dtype::Float64).unwrap_err();
    assert!(msg(e).contains("more bytes than fit"));
}

#[test]
fn dtype_combinations_mlx_rejects() {
    let f = f32s(&[2]);
    let b = Array::from_slice(&[true, false], &[2]).unwrap();
    let c = ops::astype(&f, Dtype::Complex64).unwrap();
    let cases = [
        (ops::bitwise_and(&f, &f).unwrap_err(), "float32"),
        (ops::left_shift(&f, 1).unwrap_err(), "float32"),
        (ops::subtract(&b, &b).unwrap_err(), "bool"),
        (ops::negative(&b).unwrap_err(), "bool"),
        (ops::matmul(&b, &b).unwrap_err(), "bool"),
        (ops::floor_divide(&c, &c).unwrap_err(), "complex64"),
        (ops::erf(&c).unwrap_err(), "complex64"),
        (ops::bitwise_invert(&f).unwrap_err(), "float32"),
    ];
    for (e, name) in cases {
        assert!(matches!(e, Error::Dtype(_)), "{e}");
        assert!(msg(e.clone()).contains(name), "{e}");
    }
}

#[test]
fn splits_that_do_not_divide_say_so() {
    let e = ops::split(&f32s(&[7, 2]), Split::Sections(3), 0).unwrap_err();
    assert_eq!(msg(e), "split: an axis of size 7 cannot be split into 3 equal sections");
    assert!(ops::split(&f32s(&[6]), Split::Sections(0), 0).is_err());
}

#[test]
fn reductions_without_identity_on_empty_axes() {
    let e = ops::max(&f32s(&[0, 3]), 0, false).unwrap_err();
    assert!(msg(e).contains("empty axis") && msg(ops::max(&f32s(&[0, 3]), 0, false).unwrap_err()).contains("(0, 3)"));
    assert_eq!(ops::sum(&f32s(&[0, 3]), Axes::All, false).unwrap().item::<f32>().unwrap(), 0.0);
}

// Issue 24: arguments MLX refuses, refused here too (from Rust as from Python).
#[test]
fn mlx_argument_rules() {
    let ints = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2]).unwrap();
    let e = ops::addmm(&ints, &ints, &ints, 1.0, 1.0).unwrap_err();
    assert!(matches!(e, Error::Dtype(_)) && msg(e).contains("real floating-point"));
    let seg = Array::from_slice(&[0i32, 1], &[1, 2]).unwrap();
    assert!(matches!(ops::segmented_mm(&ints, &ints, &seg).unwrap_err(), Error::Dtype(_)));
    let empty = Array::from_slice::<f32>(&[], &[0]).unwrap();
    assert!(msg(ops::kron(&empty, &f32s(&[2])).unwrap_err()).contains("must not be empty"));
    assert!(rmlx_core::random::bernoulli(ints.clone(), None, None).is_err());
    assert!(rmlx_core::random::bernoulli(1, None, None).is_err());
    assert!(rmlx_core::random::bernoulli(0.5, Some(&[3]), None).is_ok());
    // Too many parts to hold: an out-of-memory error, not an abort.
    let e = ops::split(&empty, Split::Sections(1 << 40), 0).unwrap_err();
    assert!(matches!(e, Error::OutOfMemory(_)), "{e}");
    // Too many dimensions for the walks over them.
    assert!(ops::reshape(&f32s(&[1]), &vec![1i64; 2000]).is_err());
}

#[test]
fn integer_ranges_step_in_their_dtype() {
    let a = ops::arange(0.5, 5.0, 1.5, Dtype::Int32).unwrap();
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![0, 2, 4]);
    let a = ops::arange(-1.5, 3.0, 0.7, Dtype::Int64).unwrap();
    assert_eq!(a.to_vec::<i64>().unwrap(), vec![-1, 0, 1, 2, 3, 4, 5]);
}
