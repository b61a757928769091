#!/usr/bin/env bash
# clrt under mpirun (POCL): several processes give the same bytes as one,
# on a hard scene, on a glass and soft-light scene with several samples,
# path-traced and in progressive passes;
# a process whose device fails every tile changes nothing; every process
# failing gives exit 1 and no file; a job aborted by a killed process is
# finished by --resume; a stopped process's tiles go to the others after
# --tile-timeout, and a stopped root ends the job; Ctrl-C on mpirun leaves
# no file;
# clrt bench measures each process's device alone and all together.
#   mpi_test.sh CLRT MPIEXEC SOURCE_DIR
set -euo pipefail
clrt="$1" mpiexec="$2" source_dir="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# In containers Open MPI needs shared memory without its single-copy
# mechanism, and as root its explicit permission.
export OMPI_MCA_btl="self,vader" OMPI_MCA_btl_vader_single_copy_mechanism=none
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
mpirun=("$mpiexec" --oversubscribe)
# Under the sanitizers (scripts/test.sh --sanitize), Open MPI's plugins
# leak at exit from modules already unloaded, so that no frame names them
# for a suppression: leaks are checked by the other tests, not here.
if [ -n "${ASAN_OPTIONS:-}" ]; then
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
fi

fail() {
  echo "mpi_test: $*" >&2
  exit 1
}

# Two pictures of the same pixels (their notes say how each render went:
# the time, the processes).
same_picture() { # A B
  "$clrt" compare "$1" "$2" | grep -q "PSNR inf dB"
}

same_pixels() { # NAME SCENE [options]
  local name="$1" scene="$2"
  shift 2
  "$clrt" render "$source_dir/$scene" -o "$work/$name-1.png" -q "$@"
  "${mpirun[@]}" -n 3 "$clrt" render "$source_dir/$scene" -o "$work/$name-3.png" -q "$@" ||
    fail "$name: mpirun -n 3 failed"
  same_picture "$work/$name-1.png" "$work/$name-3.png" || fail "$name: 3 processes gave other bytes than 1"
}

same_pixels hard tests/data/whitted_hard.json
# The summary's first line speaks for the whole cluster: its rays are the
# sum of every process's line.
"${mpirun[@]}" -n 3 "$clrt" render "$source_dir/tests/data/whitted_hard.json" -o "$work/summary.png" \
  2>"$work/summary.err" || fail "summary: mpirun -n 3 failed"
grep -q "^clrt: .* on 3 processes, .* 2\.[0-9] Mrays (camera 0\.5," "$work/summary.err" ||
  fail "summary: the first line is not the cluster's: $(cat "$work/summary.err")"
same_pixels glass scenes/showcase.json --width 160 --height 90 --samples 4
same_pixels path scenes/bench/room.json --width 96 --height 72 --samples 4
# The auxiliary passes are a frame of their own across the processes; the
# root denoises once every tile is in.
same_pixels denoised scenes/bench/room.json --width 96 --height 72 --samples 4 --denoise
# A sequence: every frame of two processes is the frame of one, whole
# frames as tasks or every frame's tiles shared; with a process whose
# device fails every tile, the other renders its frames.
"$clrt" trajectory "$work/traj/f_%03d.ply" --particles 3000 --frames 6 -q
sed 's|swirl/frame_%04d.ply|traj/f_%03d.ply|' "$source_dir/scenes/swirl.json" >"$work/traj.json"
sequence=(render "$work/traj.json" --frames 0..5 --width 128 --height 72 --refit)
"$clrt" "${sequence[@]}" -o "$work/seq1_%d.png" -q
same_frames() { # NAME
  for f in 0 1 2 3 4 5; do
    same_picture "$work/seq1_$f.png" "$work/$1_$f.png" || fail "sequence, $1: frame $f is not that of 1 process"
  done
}
for split in frames tiles; do
  "${mpirun[@]}" -n 2 "$clrt" "${sequence[@]}" -o "$work/$split"_%d.png --split "$split" 2>"$work/$split.err" ||
    fail "sequence, $split: mpirun -n 2 failed: $(cat "$work/$split.err")"
  same_frames "$split"
done
grep -q "whole frames on 2 processes" "$work/frames.err" || fail "sequence: not in frames: $(cat "$work/frames.err")"
"${mpirun[@]}" -n 1 "$clrt" "${sequence[@]}" -o "$work/given_%d.png" --split frames : \
  -n 1 env CLRT_INJECT_FAULT=0:0/all "$clrt" "${sequence[@]}" -o "$work/given_%d.png" --split frames \
  2>"$work/given.err" || fail "sequence, a failing process: mpirun failed: $(cat "$work/given.err")"
same_frames given
grep -q "process 1: .*; the other processes render its frames" "$work/given.err" ||
  fail "sequence, a failing process: no warning: $(cat "$work/given.err")"
grep -q "6 frame(s) 0..5 step 1.* 6 by 0, 0 by 1" "$work/given.err" ||
  fail "sequence, a failing process: process 0 did not render every frame: $(cat "$work/given.err")"
# Progressive passes: the root decides each one from its sums, the same
# whatever the processes.
same_pixels passes scenes/bench/room.json --width 96 --height 72 --noise 0.3 --samples 32

# One process of three fails every tile: the others render its share.
"${mpirun[@]}" -n 2 "$clrt" render "$source_dir/tests/data/whitted_hard.json" -o "$work/failing.png" -q : \
  -n 1 env CLRT_INJECT_FAULT=0:0/all "$clrt" render "$source_dir/tests/data/whitted_hard.json" \
  -o "$work/failing.png" -q 2>"$work/failing.err" || fail "one failing process: mpirun failed"
same_picture "$work/hard-1.png" "$work/failing.png" || fail "one failing process: other bytes"
grep -q "retiring 0:0" "$work/failing.err" || fail "one failing process: no warning"

# Every process fails: exit 1, one error, no file.
if "${mpirun[@]}" -n 3 env CLRT_INJECT_FAULT=0:0/all "$clrt" render "$source_dir/tests/data/whitted_hard.json" \
  -o "$work/none.png" -q 2>"$work/none.err"; then
  fail "every process failing: mpirun succeeded"
fi
[ "$(grep -c "clrt: error: no device could render" "$work/none.err")" -eq 1 ] || fail "every process failing: $(cat "$work/none.err")"
[ ! -e "$work/none.png" ] || fail "every process failing: a file was written"

# clrt bench: each process's device alone (in turn), then both together,
# every picture checked against the host reference; one table, one CSV.
bench() { # NAME [mpirun arguments after -n 1 for the second process]
  local name="$1"
  shift
  "${mpirun[@]}" -n 1 "$clrt" bench "$source_dir/tests/data/whitted_hard.json" --runs 2 --warmup 0 --min-time 0 \
    --csv "$work/$name.csv" : -n 1 "$@" "$clrt" bench "$source_dir/tests/data/whitted_hard.json" --runs 2 \
    --warmup 0 --min-time 0 --csv "$work/$name.csv" >"$work/$name.out" 2>"$work/$name.err" ||
    fail "$name: mpirun clrt bench failed: $(cat "$work/$name.err")"
  [ "$(grep -c "^whitted_hard:" "$work/$name.out")" -eq 1 ] || fail "$name: not one table: $(cat "$work/$name.out")"
}
row() { # NAME LABEL CHECK: the CSV row of device LABEL ends with CHECK
  grep -q "^whitted_hard,[^,]*,800,600,1,10,[^,]*,$2,.*$3\$" "$work/$1.csv" || fail "$1: no $2 row ending $3"
}
bench bench
row bench 0/0:0 ",1,ok"
row bench 1/0:0 ",1,ok"
row bench all ",1,ok"
# the second process's device fails: it has no score, and the first
# renders the frames of "all" alone
bench bench_failing env CLRT_INJECT_FAULT=0:0/all
row bench_failing 0/0:0 ",1,ok"
row bench_failing 1/0:0 ",0,\"\?device failed: .*injected.*"
row bench_failing all ",1,ok"

# A process killed (SIGKILL) mid-render: Open MPI aborts the job, and the
# root's checkpoint lets another mpirun, of another size, finish the very
# bytes of an uninterrupted render.
killed=("$source_dir/scenes/showcase.json" --width 320 --height 180 --samples 64)
"$clrt" render "${killed[@]}" -o "$work/killed-1.png" -q
# Starts `mpirun -n 3 clrt render` of that scene to $work/NAME.png, with a
# checkpoint in $work/NAME.ck, in the background (its pid in $pid, its
# stderr in $work/NAME.err); returns once the checkpoint holds finished
# tiles, when every process is rendering.
start_rendering() { # NAME [render options]
  local name="$1"
  shift
  timeout 120 "${mpirun[@]}" -n 3 "$clrt" render "${killed[@]}" -o "$work/$name.png" --checkpoint "$work/$name.ck" \
    "$@" 2>"$work/$name.err" &
  pid=$!
  for _ in $(seq 1200); do
    [ "$(wc -c 2>/dev/null <"$work/$name.ck" || echo 0)" -gt 64 ] && return
    sleep 0.05
  done
}
# The pid of the clrt process of rank RANK rendering NAME.png: one grep
# over every command line, then the environment of the few that name it
# (two processes for each of /proc's hundreds took seconds on a busy
# machine, long enough for the render to end first).
victim_of() { # RANK NAME
  local cmdline pid
  for cmdline in $(grep -l -a -F -- "$2.png" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid="${cmdline#/proc/}"
    pid="${pid%/cmdline}"
    grep -qzx "OMPI_COMM_WORLD_RANK=$1" "/proc/$pid/environ" 2>/dev/null && echo "$pid" && return
  done
  fail "$2: no process of rank $1 (was the render over?)"
}

start_rendering killed -q
kill -KILL "$(victim_of 1 killed)"
wait "$pid" && fail "killed process: mpirun succeeded"
[ ! -e "$work/killed.png" ] || fail "killed process: a picture was written"
"${mpirun[@]}" -n 2 "$clrt" render "${killed[@]}" -o "$work/killed.png" --resume "$work/killed.ck" \
  2>"$work/killed.err" || fail "killed process: mpirun -n 2 --resume failed: $(cat "$work/killed.err")"
grep -q "resuming $work/killed.ck: [0-9.]*% of the picture" "$work/killed.err" ||
  fail "killed process: $(cat "$work/killed.err")"
same_picture "$work/killed-1.png" "$work/killed.png" || fail "killed process: the resumed picture differs"
[ ! -e "$work/killed.ck" ] || fail "killed process: the checkpoint was left behind"

# A process stopped (SIGSTOP) mid-render: after --tile-timeout seconds of
# silence the root gives its tiles to the others, writes the very
# picture, and ends the job (mpirun returns 0: the picture is whole).
start=$(date +%s)
start_rendering silent-rank --tile-timeout 5
victim="$(victim_of 1 silent-rank)"
kill -STOP "$victim"
wait "$pid" || fail "stopped process: mpirun failed: $(cat "$work/silent-rank.err")"
kill -KILL "$victim" 2>/dev/null || true
[ $(($(date +%s) - start)) -lt 60 ] || fail "stopped process: it took over a minute"
grep -q "process 1 has said nothing for 5 s (stopped or hung): its [0-9]* tile(s) go to the others" \
  "$work/silent-rank.err" || fail "stopped process: no warning: $(cat "$work/silent-rank.err")"
grep -q "the root, process 0, has said nothing" "$work/silent-rank.err" &&
  fail "stopped process: the stopped process blamed the root: $(cat "$work/silent-rank.err")"
same_picture "$work/killed-1.png" "$work/silent-rank.png" || fail "stopped process: other bytes"

# The root stopped: the others end the job after --tile-timeout seconds,
# saying why; no picture (the checkpoint is how such a job is finished).
start=$(date +%s)
start_rendering silent-root --tile-timeout 5
victim="$(victim_of 0 silent-root)"
kill -STOP "$victim"
wait "$pid" && fail "stopped root: mpirun succeeded"
kill -KILL "$victim" 2>/dev/null || true
[ $(($(date +%s) - start)) -lt 60 ] || fail "stopped root: it took over a minute"
grep -q "the root, process 0, has said nothing for [0-9]* s (stopped or hung): ending the job" \
  "$work/silent-root.err" || fail "stopped root: $(cat "$work/silent-root.err")"
[ ! -e "$work/silent-root.png" ] || fail "stopped root: a picture was written"
rm -f "$work/silent-root.ck"

# Ctrl-C on mpirun, two seconds into a long render: stops soon, no file.
start=$(date +%s)
"${mpirun[@]}" -n 2 "$clrt" render "$source_dir/scenes/showcase.json" -o "$work/stopped.png" -q 2>/dev/null &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid" && fail "Ctrl-C: mpirun succeeded"
[ $(($(date +%s) - start)) -lt 60 ] || fail "Ctrl-C: it took over a minute"
ls "$work" | grep -q stopped && fail "Ctrl-C: a file was left: $(ls "$work")"
echo "mpi_test: ok"
