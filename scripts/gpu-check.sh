#!/usr/bin/env bash
# What the trace kernel costs an NVIDIA GPU (sm_90: H100, H200), without
# one: every variant clrt builds is compiled for sm_90 through clang ->
# libclc (nvptx64--nvidiacl) -> llc -> the CUDA toolkit's ptxas, which
# prints the registers, stack frame and spills a work-item needs; from
# the registers, the occupancy they allow at clrt's work-group size.
#
# Each integrator has budgets (docs/gpu.md: "Kernels on a GPU"): the fewest
# registers ptxas needs to spill nothing, and the bytes of stack frame;
# the path integrator's kernel, built under its cap of registers as clrt
# builds it for NVIDIA, must spill nothing there. The other kernels (the auxiliary passes' trace kernel, the denoiser's)
# have budgets of registers as ptxas uses them, with no spill. Fails
# (exit 1) past a budget.
#
#   scripts/gpu-check.sh            the table, and the budgets checked
#
# Skipped with one line (exit 0) when clang-15, llvm-15 (llvm-link, opt,
# llc), libclc-15 or ptxas is missing. clang is not NVIDIA's compiler: these
# are a proxy for what a GPU pays, not its figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Budgets per integrator: the fewest registers with which ptxas spills
# nothing, and bytes of stack frame (private arrays a work-item keeps in
# memory). Whitted's are set from what its kernel needs now, so that no
# change makes it heavier unnoticed; its goal is lower (docs/gpu.md,
# "Kernels on a GPU"). Its variant for scenes with clipping planes
# (-DCLRT_CLIPPING) may take one step of 8 registers more: a cut sphere's
# test is a call in the traversal's loop, and only scenes that cut
# spheres pay it. The path integrator's kernel is built for NVIDIA with a
# cap on its registers (host/device/program.c, CLRT_PATH_REGISTERS): it
# is compiled here under that cap too, and must spill nothing there, with
# or without clipping planes.
path_registers="$(sed -n 's/^#define CLRT_PATH_REGISTERS \([0-9]*\).*/\1/p' "$root/host/device/program.c")"
declare -A register_budget=([whitted]=144 [path]=$path_registers [whitted-clip]=152 [path-clip]=$path_registers)
declare -A stack_budget=([whitted]=512 [path]=256 [whitted-clip]=512 [path-clip]=256)
# The work-group clrt uses on a GPU (host/device/session.c).
work_group_size=64

libclc=/usr/lib/clc/nvptx64--nvidiacl.bc
ptxas="$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)"
for tool in clang-15 llvm-link-15 opt-15 llc-15 "$ptxas" cmake; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "gpu-check: skipped: $tool not found (apt-get install clang-15 llvm-15 libclc-15; ptxas is in the CUDA toolkit)"
    exit 0
  fi
done
if [ ! -f "$libclc" ]; then
  echo "gpu-check: skipped: $libclc not found (apt-get install libclc-15)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake -DOUTPUT="$work/clrt.cl" -P "$root/cmake/write_kernel_source.cmake"
# libclc has no get_global_offset for nvptx (the kernel uses it for the
# tile's origin): a stand-in that the budget does not depend on.
cat >"$work/offset.ll" <<'EOF'
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-unknown-nvidiacl"
define i64 @_Z17get_global_offsetj(i32 %d) { ret i64 0 }
EOF

# ptxas's figures for one kernel of a variant (the trace kernel unless
# named): "registers stack spill_bytes".
ptxas_figures() { # tag, extra ptxas options, [kernel]
  local tag=$1 extra=$2 kernel=${3:-clrt_trace_tile}
  local info
  # The kernel's own lines (the device functions are listed too).
  info="$("$ptxas" -arch=sm_90 -v $extra "$work/$tag.ptx" -o "$work/$tag.cubin" 2>&1 |
    grep -A3 "entry function '$kernel'")"
  local registers stack stores loads
  registers="$(sed -n 's/.*Used \([0-9]*\) registers.*/\1/p' <<<"$info")"
  stack="$(sed -n 's/.* \([0-9]*\) bytes stack frame.*/\1/p' <<<"$info")"
  stores="$(sed -n 's/.* \([0-9]*\) bytes spill stores.*/\1/p' <<<"$info")"
  loads="$(sed -n 's/.* \([0-9]*\) bytes spill loads.*/\1/p' <<<"$info")"
  echo "$registers $stack $((stores + loads))"
}

# Work-groups of work_group_size an SM holds by registers (65,536 a SM,
# allocated per warp in 256s; at most 64 warps), as a share of 64 warps.
occupancy() { # registers
  local per_warp=$(((($1 * 32) + 255) / 256 * 256))
  local warps=$((65536 / per_warp))
  local group_warps=$((work_group_size / 32))
  local groups=$((warps / group_warps))
  local resident=$((groups * group_warps))
  [ "$resident" -gt 64 ] && resident=64
  echo "$((resident * 100 / 64))%"
}

# The fewest registers (a multiple of 8) that ptxas needs to spill
# nothing, by bisection between 32 and 255.
least_registers() { # tag
  local low=32 high=255 middle spill
  read -r _ _ spill <<<"$(ptxas_figures "$1" "-maxrregcount=$high")"
  [ "$spill" -gt 0 ] && { echo ">255"; return; }
  while [ $((high - low)) -gt 8 ]; do
    middle=$(((low + high) / 2 / 8 * 8))
    read -r _ _ spill <<<"$(ptxas_figures "$1" "-maxrregcount=$middle")"
    if [ "$spill" -gt 0 ]; then low=$middle; else high=$middle; fi
  done
  echo "$high"
}

# One variant of the program to PTX: tag, then clang's options.
compile_variant() { # tag, defines...
  local tag=$1
  shift
  # As clrt builds for a GPU (-DCLRT_FOR_GPU, host/device/program.c).
  clang-15 -x cl -cl-std=CL1.2 -target nvptx64--nvidiacl -Xclang -finclude-default-header -O3 -emit-llvm \
    -c -DCLRT_FOR_GPU "$@" "$work/clrt.cl" -o "$work/$tag.bc"
  # Linked, then optimised again, so that libclc's functions are
  # inlined as a GPU's own compiler inlines its builtins.
  llvm-link-15 "$work/$tag.bc" "$libclc" "$work/offset.ll" -o "$work/$tag.linked.bc"
  opt-15 -O3 "$work/$tag.linked.bc" -o "$work/$tag.linked.bc"
  llc-15 -O3 -mcpu=sm_86 -mattr=+ptx75 "$work/$tag.linked.bc" -o "$work/$tag.ptx"
}

failed=0
# One row of the table: integrator, output, arrays, math, tag (the
# budgets of integrator, or integrator-clip for the clipping variant).
row() {
  local registers stack spill least verdict=ok occupancy_least budget=$1
  [ "$4" = clip ] && budget=$1-clip
  local cap=""
  [ "$1" = path ] && cap="-maxrregcount=$path_registers"
  read -r registers stack spill <<<"$(ptxas_figures "$5" "$cap")"
  least=$(least_registers "$5")
  if [ "$least" = ">255" ] || [ "$least" -gt "${register_budget[$budget]}" ] ||
    [ "$stack" -gt "${stack_budget[$budget]}" ] || [ "$spill" -gt 0 ]; then
    verdict="OVER (budget ${register_budget[$budget]} registers, ${stack_budget[$budget]} B stack)"
    failed=1
  fi
  occupancy_least=$([ "$least" = ">255" ] && echo "-" || occupancy "$least")
  printf '%-8s %-7s %-8s %-5s | %4s %5s %5s %5s | %5s %5s  %s\n' "$1" "$2" "$3" "$4" \
    "$registers" "$stack" "$spill" "$(occupancy "$registers")" "$least" "$occupancy_least" "$verdict"
}
echo "                                 | as clrt builds it       | without spilling"
printf '%-8s %-7s %-8s %-5s | %4s %5s %5s %5s | %5s %5s  %s\n' integrator output arrays math \
  regs stack spill occup regs occup verdict
for integrator in whitted path; do
  id=$([ $integrator = whitted ] && echo 0 || echo 1)
  # Path renders are always summed exactly (CLRT_SUM_OUTPUT); Whitted
  # writes 8-bit levels, or linear colour for .hdr files.
  outputs=$([ $integrator = whitted ] && echo "levels linear" || echo "sums")
  for output in $outputs; do
    for arrays in constant global; do
      for math in exact fast; do
        defines="-DCLRT_INTEGRATOR=$id"
        [ $output = linear ] && defines+=" -DCLRT_LINEAR_OUTPUT"
        [ $output = sums ] && defines+=" -DCLRT_SUM_OUTPUT"
        [ $arrays = constant ] && defines+=" -DCLRT_ARRAYS_IN_CONSTANT"
        [ $math = exact ] && defines+=" -cl-fp32-correctly-rounded-divide-sqrt" || defines+=" -cl-fast-relaxed-math"
        tag="$integrator-$output-$arrays-$math"
        # shellcheck disable=SC2086 # the defines are words
        compile_variant "$tag" $defines
        row "$integrator" "$output" "$arrays" "$math" "$tag"
      done
    done
  done
  # Scenes with clipping planes get a variant of their own (-DCLRT_CLIPPING),
  # held to the same budgets.
  output=$([ $integrator = whitted ] && echo levels || echo sums)
  defines="-DCLRT_INTEGRATOR=$id -DCLRT_CLIPPING -cl-fp32-correctly-rounded-divide-sqrt"
  [ $output = sums ] && defines+=" -DCLRT_SUM_OUTPUT"
  # shellcheck disable=SC2086 # the defines are words
  compile_variant "$integrator-clipping" $defines
  row "$integrator" "$output" "global" "clip" "$integrator-clipping"
done

# The other kernels, held to budgets of their own (as ptxas likes it,
# exact math, global arrays, no spill): the trace kernel built for the
# auxiliary passes (--passes, --denoise), and the denoiser's two, which
# every program holds (read from the path integrator's).
declare -A other_budget=([whitted-aux]=112 [path-aux]=96 [clrt_denoise_keys]=48 [clrt_denoise_step]=64)
echo
printf '%-28s | %4s %5s %5s %5s | %6s  %s\n' "other kernels" regs stack spill occup budget verdict
check_other() { # label, tag, kernel
  local registers stack spill verdict=ok
  read -r registers stack spill <<<"$(ptxas_figures "$2" "" "$3")"
  if [ "$registers" -gt "${other_budget[$1]}" ] || [ "$spill" -gt 0 ] || [ "$stack" -gt 256 ]; then
    verdict="OVER (budget ${other_budget[$1]} registers, no spill, 256 B stack)"
    failed=1
  fi
  printf '%-28s | %4s %5s %5s %5s | %6s  %s\n' "$1" "$registers" "$stack" "$spill" "$(occupancy "$registers")" \
    "${other_budget[$1]}" "$verdict"
}
for integrator in whitted path; do
  id=$([ $integrator = whitted ] && echo 0 || echo 1)
  compile_variant "$integrator-aux" "-DCLRT_INTEGRATOR=$id" -DCLRT_AUX_OUTPUT -cl-fp32-correctly-rounded-divide-sqrt
  check_other "$integrator-aux" "$integrator-aux" clrt_trace_tile
done
check_other clrt_denoise_keys path-aux clrt_denoise_keys
check_other clrt_denoise_step path-aux clrt_denoise_step
echo "As clrt builds it: as ptxas likes it, but for the path integrator's under its cap of $path_registers"
echo "registers (-cl-nv-maxrregcount on NVIDIA, host/device/program.c)."
echo "regs: registers a work-item; stack: bytes of stack frame (arrays a work-item keeps in memory);"
echo "spill: bytes spilled (stored + loaded); occup: warps resident by registers, of 64 an SM, at"
echo "$work_group_size-item work-groups. Without spilling: the fewest registers (ptxas -maxrregcount, in"
echo "steps of 8) with no spill. Budgets: whitted ${register_budget[whitted]} registers, ${stack_budget[whitted]} B; path ${register_budget[path]} registers, ${stack_budget[path]} B;"
echo "clipping variants: whitted ${register_budget[whitted-clip]}, path ${register_budget[path-clip]} registers."
exit $failed
