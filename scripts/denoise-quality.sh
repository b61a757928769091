#!/usr/bin/env bash
# Measures the denoiser: PSNR and SSIM against a long render, noisy and
# denoised, and the time each took, as a Markdown table.
#   scripts/denoise-quality.sh SCENE.json [WIDTHxHEIGHT] [REFERENCE_SPP]
# Renders with build/clrt (or $CLRT) into a temporary folder, which it
# leaves for looking at (its path is printed). The times are whole
# commands (a program build from the cache included).
set -euo pipefail
scene="$1"
size="${2:-320x240}"
reference_spp="${3:-1024}"
clrt="${CLRT:-build/clrt}"
width="${size%x*}"
height="${size#*x}"
out="$(mktemp -d "${TMPDIR:-/tmp}/clrt-denoise.XXXXXX")"
render() { # NAME SAMPLES [OPTIONS...]: prints the seconds it took
  local name="$1" samples="$2"
  shift 2
  local start end
  start="$(date +%s.%N)"
  "$clrt" render "$scene" -q --width "$width" --height "$height" --samples "$samples" -o "$out/$name" "$@"
  end="$(date +%s.%N)"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
measure() { # NAME: "PSNR | SSIM" against the reference
  "$clrt" compare "$out/reference.exr" "$out/$1" | sed -E 's/.*PSNR ([0-9.inf]+) dB, SSIM ([0-9.]+)/\1 | \2/'
}
render reference.exr "$reference_spp" --exr-float >/dev/null
echo "scene: $scene at ${width}x${height}; reference: $reference_spp samples a pixel; pictures in $out"
echo
echo "| samples | noisy PSNR dB | noisy SSIM | noisy s | denoised PSNR dB | denoised SSIM | denoised s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for spp in 4 16 64 256; do
  noisy_s="$(render "noisy-$spp.exr" "$spp")"
  denoised_s="$(render "denoised-$spp.exr" "$spp" --denoise)"
  echo "| $spp | $(measure "noisy-$spp.exr") | $noisy_s | $(measure "denoised-$spp.exr") | $denoised_s |"
done
