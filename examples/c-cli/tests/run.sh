#!/bin/sh
# Runs every "expression<TAB>expected" line of tests/cases.tsv through ./calc.
fail=0
while IFS='	' read -r expr want; do
  got=$(./calc "$expr" 2>/dev/null | sed 's/.* = //')
  if [ "$got" != "$want" ]; then
    echo "FAIL: $expr: got '$got', want '$want'"
    fail=1
  fi
done < tests/cases.tsv
[ $fail -eq 0 ] && echo "all tests passed"
exit $fail
