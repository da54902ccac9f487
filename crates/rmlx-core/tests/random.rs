//! Random numbers: Threefry bits equal to MLX's (values pinned from MLX
//! 0.32.4), the bit layout for every width and odd sizes, samples on the
//! device under test equal to the CPU's, vmap over keys, and bad keys.

use rmlx_core::random::{self, Samples};
use rmlx_core::{ops, Array, Device, Dtype, Error};

#[test]
fn keys_and_split_match_mlx() {
    assert_eq!(random::key(0).unwrap().to_vec::<u32>().unwrap(), vec![0, 0]);
    assert_eq!(random::key((1 << 40) + 5).unwrap().to_vec::<u32>().unwrap(), vec![256, 5]);
    let k = random::key(0).unwrap();
    let s = random::split(&k, 2).unwrap();
    assert_eq!(s.shape(), &[2, 2]);
    assert_eq!(s.to_vec::<u32>().unwrap(), vec![4146024105, 967050713, 2718843009, 1272950319]);
    let s3 = random::split(&k, 3).unwrap().to_vec::<u32>().unwrap();
    assert_eq!(s3, vec![2467461003, 428148500, 3186719485, 3840466878, 2562233961, 1946702221]);
}

#[test]
fn uniform_matches_mlx() {
    // An odd count: the middle word comes from the counter pair (3, 0).
    let u = random::uniform(0.0f32, 1.0f32, &[7], Dtype::Float32, Some(&random::key(3).unwrap())).unwrap();
    let want = [
        0.3173735737800598f64,
        0.8551788926124573,
        0.8164340853691101,
        0.9489181041717529,
        0.08783916383981705,
        0.04712248593568802,
        0.857948899269104,
    ];
    let want: Vec<f32> = want.iter().map(|&v| v as f32).collect();
    assert_eq!(u.to_vec::<f32>().unwrap(), want);
}

/// The words of one key's stream: the layout every width truncates.
fn words(key: (u32, u32), n: usize) -> Vec<u32> {
    let (h, o) = (n / 2, n % 2);
    let mut w = vec![0u32; n];
    for i in 0..h {
        let (a, b) = random::threefry2x32(key, (i as u32, (h + o + i) as u32));
        w[i] = a;
        w[h + o + i] = b;
    }
    if o == 1 {
        w[h] = random::threefry2x32(key, (h as u32, 0)).0;
    }
    w
}

#[test]
fn bits_layout_for_every_width_and_size() {
    let k = random::key(9).unwrap();
    let kv = (0u32, 9u32);
    for n in [0usize, 1, 2, 3, 5, 8, 13, 1000, 4099] {
        for width in [1usize, 2, 4] {
            let b = random::bits(&[n], width, Some(&k)).unwrap();
            let bytes: Vec<u8> = match width {
                1 => b.to_vec::<u8>().unwrap(),
                2 => b.to_vec::<u16>().unwrap().iter().flat_map(|v| v.to_le_bytes()).collect(),
                _ => b.to_vec::<u32>().unwrap().iter().flat_map(|v| v.to_le_bytes()).collect(),
            };
            let want: Vec<u8> = words(kv, (n * width).div_ceil(4)).iter().flat_map(|v| v.to_le_bytes()).collect();
            assert_eq!(bytes, want[..n * width].to_vec(), "n={n} width={width}");
        }
    }
}

#[test]
fn device_samples_equal_the_cpu_ones() {
    let k = random::key(21).unwrap();
    let draw = || -> Vec<Array> {
        vec![
            random::uniform(-2.0f32, 5.0f32, &[3, 1001], Dtype::Float32, Some(&k)).unwrap(),
            ops::astype(&random::bits(&[77], 2, Some(&k)).unwrap(), Dtype::Uint32).unwrap(),
            random::randint(-3, 40, &[513], Dtype::Int32, Some(&k)).unwrap(),
            ops::astype(&random::bernoulli(0.4f32, Some(&[64]), Some(&k)).unwrap(), Dtype::Int32).unwrap(),
            random::normal(&[5, 4099], Dtype::Float32, None, None, Some(&k)).unwrap(),
            random::normal(&[7], Dtype::Bfloat16, Some(1.5f32.into()), Some(2.0f32.into()), Some(&k)).unwrap(),
        ]
    };
    let here = draw();
    let cpu = rmlx_core::with_stream(Device::Cpu, draw).unwrap();
    for (a, b) in here.iter().zip(&cpu) {
        assert_eq!(
            ops::astype(a, Dtype::Float64).unwrap().to_vec::<f64>().unwrap(),
            ops::astype(b, Dtype::Float64).unwrap().to_vec::<f64>().unwrap()
        );
    }
}

#[test]
fn normal_is_sqrt2_erfinv_of_the_uniform() {
    // The fused kernel against the same steps as separate ops (erfinv in
    // double precision): sqrt(2) erfinv(u), u uniform in (-1, 1).
    let k = random::key(5).unwrap();
    let z = random::normal(&[3, 2001], Dtype::Float32, None, None, Some(&k)).unwrap();
    let u = random::uniform(-1.0 + f32::EPSILON / 2.0, 1.0f32, &[3, 2001], Dtype::Float32, Some(&k)).unwrap();
    let want = ops::erfinv(&ops::astype(&u, Dtype::Float64).unwrap()).unwrap().to_vec::<f64>().unwrap();
    let got = z.to_vec::<f32>().unwrap();
    for (g, w) in got.iter().zip(&want) {
        let w = w * std::f64::consts::SQRT_2;
        assert!((*g as f64 - w).abs() <= 5e-7 * w.abs().max(0.25), "got {g}, want {w}");
    }
    let mean = got.iter().map(|&v| v as f64).sum::<f64>() / got.len() as f64;
    let var = got.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / got.len() as f64;
    assert!(mean.abs() < 0.05 && (var - 1.0).abs() < 0.06, "mean {mean}, variance {var}");
}

#[test]
fn vmap_over_keys_equals_a_loop() {
    let keys = random::split(&random::key(4).unwrap(), 3).unwrap();
    let out = rmlx_core::vmap(
        |a: &[Array]| Ok(vec![random::uniform(0.0f32, 1.0f32, &[5], Dtype::Float32, Some(&a[0]))?]),
        std::slice::from_ref(&keys),
        &[Some(0)],
        &[0],
    )
    .unwrap();
    let got = out[0].to_vec::<f32>().unwrap();
    for i in 0..3 {
        let ki = ops::reshape_to(
            &ops::slice(&keys, &[ops::SliceArg::new(Some(i as i64), Some(i as i64 + 1), 1), ops::SliceArg::full()])
                .unwrap(),
            &[2],
        )
        .unwrap();
        let one = random::uniform(0.0f32, 1.0f32, &[5], Dtype::Float32, Some(&ki)).unwrap();
        assert_eq!(got[i * 5..(i + 1) * 5].to_vec(), one.to_vec::<f32>().unwrap());
    }
}

#[test]
fn categorical_shapes() {
    let k = random::key(2).unwrap();
    let logits = ops::zeros(&[4, 6], Dtype::Float32).unwrap();
    let c = |s: Samples, axis: i64| random::categorical(&logits, axis, s, Some(&k)).unwrap().shape().to_vec();
    assert_eq!(c(Samples::One, -1), vec![4]);
    assert_eq!(c(Samples::One, 0), vec![6]);
    assert_eq!(c(Samples::Count(3), -1), vec![4, 3]);
    assert_eq!(c(Samples::Count(2), 0), vec![6, 2]);
    assert_eq!(c(Samples::Shape(vec![2, 4]), -1), vec![2, 4]);
    assert!(matches!(
        random::categorical(&logits, -1, Samples::Shape(vec![3]), Some(&k)),
        Err(Error::Shape(m)) if m.contains("broadcast")
    ));
}

#[test]
fn bad_keys_and_arguments() {
    let bad_shape = Array::from_slice(&[1u32, 2, 3], &[3]).unwrap();
    assert!(matches!(random::split(&bad_shape, 2), Err(Error::Shape(m)) if m.contains("(2,)") && m.contains("(3,)")));
    let bad_dtype = Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
    assert!(matches!(
        random::uniform(0.0f32, 1.0f32, &[2], Dtype::Float32, Some(&bad_dtype)),
        Err(Error::Dtype(m)) if m.contains("uint32") && m.contains("float32")
    ));
    let k = random::key(0).unwrap();
    assert!(matches!(random::bits(&[2], 3, Some(&k)), Err(Error::Value(m)) if m.contains("1, 2 or 4")));
    assert!(matches!(random::uniform(0.0f32, 1.0f32, &[2], Dtype::Int32, Some(&k)), Err(Error::Dtype(_))));
    assert!(matches!(random::randint(0, 3, &[2], Dtype::Float32, Some(&k)), Err(Error::Dtype(_))));
    let lo = ops::zeros(&[3], Dtype::Float32).unwrap();
    assert!(matches!(random::uniform(lo, 1.0f32, &[2], Dtype::Float32, Some(&k)), Err(Error::Shape(_))));
    assert!(matches!(
        random::categorical(&ops::zeros(&[3], Dtype::Float32).unwrap(), 1, Samples::One, Some(&k)),
        Err(Error::Axis { .. })
    ));
}
