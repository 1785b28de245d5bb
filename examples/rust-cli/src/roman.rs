//! Roman numeral conversion, 1..=3999.

use std::fmt;

const TABLE: [(u32, &str); 13] = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    OutOfRange(u32),
    BadNumeral(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::OutOfRange(n) => write!(f, "{} is outside 1..=3999", n),
            Error::BadNumeral(s) => write!(f, "{:?} is not a canonical Roman numeral", s),
        }
    }
}

pub fn to_roman(mut n: u32) -> Result<String, Error> {
    if n == 0 || n > 3999 {
        return Err(Error::OutOfRange(n));
    }
    let mut out = String::new();
    for &(value, symbol) in TABLE.iter() {
        while n >= value {
            out.push_str(symbol);
            n -= value;
        }
    }
    Ok(out)
}

pub fn from_roman(s: &str) -> Result<u32, Error> {
    let upper = s.to_ascii_uppercase();
    let mut rest = upper.as_str();
    let mut total = 0;
    for &(value, symbol) in TABLE.iter() {
        while rest.starts_with(symbol) {
            total += value;
            rest = &rest[symbol.len()..];
        }
    }
    // Only canonical numerals round-trip: "IIII" or "VX" are rejected.
    if !rest.is_empty() || total == 0 || to_roman(total)? != upper {
        return Err(Error::BadNumeral(s.to_string()));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for n in 1..=3999 {
            assert_eq!(from_roman(&to_roman(n).unwrap()).unwrap(), n);
        }
    }

    #[test]
    fn rejects_non_canonical() {
        assert!(from_roman("IIII").is_err());
        assert!(from_roman("VX").is_err());
    }
}
