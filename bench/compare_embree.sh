#!/usr/bin/env bash
# Measures clrt against the Embree peer (../shared/peers/embree) on the
# many-sphere scenes of bench/generate.py, alternating the two programs
# RUNS times and printing every figure (bench/RESULTS.md has the medians).
#   bench/compare_embree.sh CLRT EMBREE_PEER WORKDIR [RUNS]
set -euo pipefail
clrt=$1 peer=$2 work=$3 runs=${4:-3}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$work" && cd "$work"
[ -f field1k.json ] || python3 "$here/generate.py" field 1001 field1k.json
[ -f flake.json ] || python3 "$here/generate.py" flake 4 flake.json
[ -f field1m.json ] || python3 "$here/generate.py" field 1000001 field1m.json
[ -f field1m-ply.json ] || python3 "$here/generate.py" field 1000001 field1m-ply.json --ply
export CLRT_CACHE_DIR="$work/cache"
"$clrt" render field1m-ply.json -o /dev/null.png >/dev/null 2>&1 || true # builds the program into the cache
"$clrt" render field1m-ply.json -o warm.png -q
for run in $(seq "$runs"); do
  for scene in field1k flake; do
    embree=$("$peer" "$scene.json" embree.png --packet8 2>&1 | sed -n 's/.*mrays_s=//p')
    ours=$("$clrt" bench "$scene.json" --runs 5 2>/dev/null | awk '$2 == "0:0" {print $9}')
    echo "run $run $scene: embree $embree Mrays/s, clrt $ours Mrays/s"
  done
  for scene in field1m field1m-ply; do
    /usr/bin/time -f "run $run $scene: clrt whole process %e s, peak %M KB" "$clrt" render "$scene.json" -o clrt.png 2>&1 |
      sed 's/^clrt: .*BVH built in \([0-9]*\) ms.*kernel \([0-9.]*\) ms.*/  (BVH \1 ms, kernel \2 ms)/'
  done
  /usr/bin/time -f "run $run field1m: embree whole process %e s, peak %M KB" "$peer" field1m.json embree.png --packet8 2>&1 |
    grep -E "whole|RESULT"
done
