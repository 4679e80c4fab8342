#!/bin/bash -eu
# Builds every tapcert fuzz target for ClusterFuzzLite / OSS-Fuzz and lays out $OUT the way
# both expect: the binaries, <target>_seed_corpus.zip from the committed seeds (saved crashes
# included, so the batch job re-checks them), <target>.dict and <target>.options.
#
# The same script serves as OSS-Fuzz's projects/tapcert/build.sh (it only needs $SRC, $OUT and
# the base-builder-rust image; the sanitizer flags come from the image's cargo-fuzz wrapper).
cd "$SRC/tapcert"

cargo fuzz build -O --debug-assertions

FUZZ=fuzz
BIN=$FUZZ/target/x86_64-unknown-linux-gnu/release
dict_for() {
  local t=$1
  [ -f "$FUZZ/dict/$t.dict" ] && { echo "$FUZZ/dict/$t.dict"; return; }
  case $t in
    flow_transit) echo "$FUZZ/dict/transit.dict" ;;
    flow_emv|tlv*|dol|qr_cpm|crypto*) echo "$FUZZ/dict/emv.dict" ;;
    capdu|rapdu|apdu*) echo "$FUZZ/dict/apdu.dict" ;;
    atr*) echo "$FUZZ/dict/atr.dict" ;;
    ndef*|t4t*|t2t*) echo "$FUZZ/dict/ndef.dict" ;;
    qr*|upi*) echo "$FUZZ/dict/qr.dict" ;;
  esac
}

for src in $FUZZ/fuzz_targets/*.rs; do
  t=$(basename "${src%.rs}")
  cp "$BIN/$t" "$OUT/"
  seeds=()
  for d in "$FUZZ/corpus/$t" "$FUZZ/regressions/$t"; do
    [ -d "$d" ] && seeds+=("$d")
  done
  if [ ${#seeds[@]} -gt 0 ]; then
    zip -q -j -r "$OUT/${t}_seed_corpus.zip" "${seeds[@]}" -x '*.md'
  fi
  d=$(dict_for "$t")
  options="[libfuzzer]\nmax_len = 4096\ntimeout = 10\nrss_limit_mb = 2048"
  if [ -n "$d" ] && [ -f "$d" ]; then
    cp "$d" "$OUT/$t.dict"
    options="$options\ndict = $t.dict"
  fi
  printf "$options\n" > "$OUT/$t.options"
done
