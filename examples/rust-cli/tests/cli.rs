use std::process::Command;

#[test]
fn converts_both_ways() {
    let out = Command::new(env!("CARGO_BIN_EXE_roman"))
        .args(["1994", "MMXXIV"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "1994 -> MCMXCIV\nMMXXIV -> 2024\n");
}
