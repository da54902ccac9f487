//! Threefry random bits and normals.

use super::*;

/// Threefry random bits (the layout of backend/cpu/random.rs).
pub(super) fn random_bits(ctx: &Ctx, keys: &Array, width: usize, shape: &[usize]) -> Result<Data> {
    random_words(ctx, keys, width, shape, "ew_random_bits")
}

/// Float32 normals from the words of `random_bits(keys, 4, shape)`.
pub(super) fn random_normal(ctx: &Ctx, keys: &Array, shape: &[usize]) -> Result<Data> {
    random_words(ctx, keys, 4, shape, "ew_random_normal")
}

pub(super) fn random_words(
    ctx: &Ctx,
    keys: &Array,
    width: usize,
    shape: &[usize],
    kernel: &'static str,
) -> Result<Data> {
    let total = size_of(shape) * width;
    let nkeys = keys.size() / 2;
    let dtype = match width {
        1 => Dtype::Uint8,
        2 => Dtype::Uint16,
        _ => Dtype::Uint32,
    };
    if total == 0 || nkeys == 0 {
        return empty(shape, dtype);
    }
    if !total.is_multiple_of(nkeys) {
        return Err(Error::Runtime(format!("internal: {total} random bytes do not split over {nkeys} keys")));
    }
    let per_key = total / nkeys;
    let words = per_key.div_ceil(4);
    let (half, odd) = (words / 2, words % 2);
    let dk = contiguous(ctx, keys)?;
    let kp = dk.buf.device_ptr(ctx.g.index, ctx.s)? + (dk.offset * 4) as u64;
    let (buf, out) = ctx.alloc(total)?;
    let mut args = Args::new();
    args.arg(out).arg(kp).arg(nkeys as i64).arg(per_key as i64).arg(half as i64).arg(odd as i64);
    let f = ctx.func(Family::Random, &copy_defines(Dtype::Uint32), kernel)?;
    launch(f, &Launch::linear((nkeys * (half + odd)) as u64, 256)?, ctx.s, &mut args)?;
    Ok(Data::contiguous_arc(buf, shape))
}
