//! Compiles every GPU kernel specialisation with NVRTC (no GPU needed) and
//! reports the first that fails: `kernel_check [sm_90]`.

fn main() {
    let arch = std::env::args().nth(1).unwrap_or_else(|| "sm_90".to_string());
    let mut count = 0usize;
    let t = std::time::Instant::now();
    match rmlx_core::__compile_all_kernels(&arch, |what| {
        count += 1;
        if count.is_multiple_of(100) {
            eprintln!("{count}: {what}");
        }
    }) {
        Ok(n) => println!("{n} kernel programs compiled for {arch} in {:.1} s", t.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
