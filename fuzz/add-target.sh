#!/usr/bin/env bash
# Adds a one-line fuzz target: fuzz/add-target.sh NAME PATH::TO::fuzz_fn "what it checks"
# (writes fuzz_targets/NAME.rs and the [[bin]] entry; the replay test's table is edited by hand).
set -euo pipefail
cd "$(dirname "$0")"
name=$1 func=$2 what=$3
[ -e "fuzz_targets/$name.rs" ] && { echo "fuzz_targets/$name.rs exists" >&2; exit 1; }
cat > "fuzz_targets/$name.rs" <<RS
//! \`$name\`: $what
#![no_main]
use tapcert_fuzz as _; // the allocation guard (src/lib.rs)
libfuzzer_sys::fuzz_target!(|data: &[u8]| $func(data));
RS
cat >> Cargo.toml <<TOML

[[bin]]
name = "$name"
path = "fuzz_targets/$name.rs"
test = false
doc = false
bench = false
TOML
mkdir -p "corpus/$name" "regressions/$name"
