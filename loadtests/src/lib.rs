//! Library side of `chorus-loadtests`: test doubles that other crates' integration tests and the
//! benchmark share. The benchmark binary itself lives in `main.rs`.

pub mod fake_meta;
