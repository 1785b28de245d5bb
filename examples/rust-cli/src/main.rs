//! roman — converts each argument between Arabic and Roman numerals.
//!
//!     roman 1994 MMXXIV      prints  1994 -> MCMXCIV  and  MMXXIV -> 2024

mod roman;

use std::env;
use std::process::ExitCode;

fn convert(arg: &str) -> Result<String, roman::Error> {
    match arg.parse::<u32>() {
        Ok(n) => roman::to_roman(n),
        Err(_) => roman::from_roman(arg).map(|n| n.to_string()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: roman NUMBER|NUMERAL...");
        return ExitCode::from(2);
    }
    if args[0] == "--version" {
        println!("roman {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let mut status = ExitCode::SUCCESS;
    for arg in &args {
        match convert(arg) {
            Ok(out) => println!("{} -> {}", arg, out),
            Err(e) => {
                eprintln!("roman: {}", e);
                status = ExitCode::from(1);
            }
        }
    }
    status
}
