#!/usr/bin/env bash
# Proves the README's two commands on a bare machine: a pristine Debian bookworm root made by
# `debootstrap --variant=minbase` (Essential packages and apt, nothing else), a clean copy of the
# committed HEAD, and inside it, as root, exactly
#     bash tools/test.sh          (setup, build with warnings as errors, the whole ctest suite)
#     bash tools/run_demo.sh      (setup, build, the flagship scenario and its diagram)
# then a check that out/flagship/diagram.svg was written. A package that tools/setup.sh forgets
# to install makes this fail, whatever the host has installed.
#
#   sudo bash tools/bare_machine_check.sh [--also 'COMMAND']...
#
# --also runs COMMAND (bash -c, in the source tree inside the root) after the README commands;
# .ci/run uses it for the demo smoke runs. Only committed files are tested (git archive HEAD);
# ../shared (the third-party test data beside the repo) is copied in when present.
#
# Needs root (debootstrap, mount, chroot) and Debian's mirror; installs debootstrap on the host
# if it is missing. Cache folder RAFTSIM_BARE_CACHE (default /var/cache/raftsim-bare-root):
#   minbase-bookworm-<arch>.tar   the fresh debootstrap root, made once and never modified
#   minbase-packages.txt          its dpkg package list, compared with every extracted root
#   apt-archives/                 downloaded .deb files only (bind-mounted as the root's
#                                 /var/cache/apt/archives): saves downloads, installs nothing
#   root/                         this run's root, extracted anew from the tarball every run;
#                                 removed after a pass, kept after a failure for inspection
#   debootstrap.log               the last debootstrap's log
# Delete the folder to start over. Other settings: RAFTSIM_BARE_MIRROR (default
# http://deb.debian.org/debian), RAFTSIM_BARE_TIMEOUT_S (default 4800: the whole run inside the
# root, setup and build included), RAFTSIM_BARE_KEEP=1 keeps root/ after a pass too.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

suite=bookworm
mirror=${RAFTSIM_BARE_MIRROR:-http://deb.debian.org/debian}
cache=${RAFTSIM_BARE_CACHE:-/var/cache/raftsim-bare-root}
budget_s=${RAFTSIM_BARE_TIMEOUT_S:-4800}
debootstrap_timeout_s=1200
chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

also=()
while [ $# -gt 0 ]; do
  case $1 in
    --also) also+=("${2:?--also needs a command}"); shift 2 ;;
    *) echo "usage: bash tools/bare_machine_check.sh [--also 'COMMAND']..." >&2; exit 2 ;;
  esac
done

say() { echo "== bare root: $*"; }
die() { echo "== bare root: FAILED: $*" >&2; exit 1; }
phase_start=0
timings=()
phase() { phase_start=$(date +%s); say "$*"; }
phase_done() {
  local took=$(( $(date +%s) - phase_start ))
  timings+=("$(printf '%6d s  %s' "$took" "$1")")
  say "$1 done in $took s"
}
print_timings() {
  [ ${#timings[@]} -gt 0 ] || return 0
  say "phase timings:"
  printf '   %s\n' "${timings[@]}"
}

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount and chroot need it)"
arch=$(dpkg --print-architecture)
tarball=$cache/minbase-$suite-$arch.tar
package_list=$cache/minbase-packages.txt
root=$cache/root
start=$(date +%s)
deadline=$(( start + budget_s ))

# --- mounts and cleanup ----------------------------------------------------------------------
mounted=()  # mount points inside $root, in mount order
mount_in_root() {  # mount-arguments... TARGET (TARGET last, inside $root)
  local target=${*: -1}
  mkdir -p "$target"
  mount "$@"
  mounted+=("$target")
}
# Every mount point at or below $1, deepest first (also catches what a killed debootstrap left).
mounts_under() {
  awk -v dir="$1" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
# Kills the processes still running inside root $1 (started by this script, by pid).
kill_inside() {
  local proc pid
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    if [ "$(readlink "$proc/root" 2>/dev/null)" = "$1" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}
unmount_all_under() {
  local dir=$1 point
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd -P)
  for point in $(mounts_under "$dir"); do
    umount "$point" 2>/dev/null || { kill_inside "$dir"; sleep 1; umount "$point" 2>/dev/null; } \
      || umount --lazy "$point" || true
  done
  [ -z "$(mounts_under "$dir")" ]
}
# Removes a root folder, never while anything is mounted below it (a bound /dev would go too).
remove_root() {
  local dir=$1
  [ -e "$dir" ] || return 0
  unmount_all_under "$dir" || die "something is still mounted under $dir; not removing it"
  rm -rf --one-file-system "$dir"
}
cleanup() {
  local code=$?
  local i
  for (( i=${#mounted[@]}-1; i>=0; i-- )); do
    umount "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
  print_timings
  unmount_all_under "$root" || echo "== bare root: WARNING: mounts left under $root" >&2
  unmount_all_under "$cache/bootstrap.tmp" || true
  if [ "$code" -ne 0 ] && [ -d "$root" ]; then
    say "failed (exit $code); the root is kept for inspection at $root (removed by the next run)"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$cache"
exec 9>"$cache/lock"
flock -n 9 || { say "another run holds $cache/lock; waiting"; flock 9; }

# --- host prerequisites ----------------------------------------------------------------------
phase "host prerequisites (debootstrap)"
if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    debootstrap debian-archive-keyring >/dev/null
fi
phase_done "host prerequisites"

# --- the cached pristine minbase root ---------------------------------------------------------
if [ -s "$tarball" ] && [ -s "$package_list" ]; then
  say "cached minbase root: $tarball ($(du -m "$tarball" | cut -f1) MB, made $(date -r "$tarball" '+%F %T'))"
else
  phase "debootstrap --variant=minbase $suite from $mirror (once; cached in $cache)"
  tmp=$cache/bootstrap.tmp
  remove_root "$tmp"
  rm -f "$tarball" "$package_list"
  if ! timeout --kill-after=30 "$debootstrap_timeout_s" \
       debootstrap --variant=minbase --arch="$arch" "$suite" "$tmp" "$mirror" \
       >"$cache/debootstrap.log" 2>&1 </dev/null; then
    tail -n 25 "$cache/debootstrap.log" >&2
    [ -f "$tmp/debootstrap/debootstrap.log" ] && tail -n 25 "$tmp/debootstrap/debootstrap.log" >&2
    remove_root "$tmp" || true
    die "debootstrap failed or took over $debootstrap_timeout_s s (log: $cache/debootstrap.log)"
  fi
  unmount_all_under "$tmp" || die "debootstrap left mounts under $tmp"
  chroot "$tmp" dpkg-query -W -f='${Package} ${Version}\n' </dev/null | sort >"$package_list.tmp"
  tar --numeric-owner -C "$tmp" -cf "$tarball.tmp" .
  mv "$package_list.tmp" "$package_list"
  mv "$tarball.tmp" "$tarball"
  chmod a-w "$tarball" "$package_list"
  remove_root "$tmp"
  phase_done "debootstrap ($(wc -l <"$package_list") packages, $(du -m "$tarball" | cut -f1) MB tarball)"
fi

# --- this run's root: a fresh extraction, checked to be the pristine minbase ------------------
if [ -e "$root" ]; then
  phase "removing the root a previous run left"
  remove_root "$root"
  phase_done "remove the previous root"
fi
phase "extracting a fresh root into $root"
mkdir -p "$root"
tar --numeric-owner -C "$root" -xpf "$tarball"
root=$(cd "$root" && pwd -P)
chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' </dev/null | sort >"$cache/root-packages.txt"
cmp -s "$package_list" "$cache/root-packages.txt" \
  || die "the extracted root's packages differ from the fresh minbase ($package_list); delete $cache"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The standard apt sources of a bookworm install (the mirror, its updates, security updates).
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
EOF
phase_done "extract ($(wc -l <"$package_list") packages, as debootstrap left them)"

phase "copying the committed source (git archive HEAD) into /src/raftsim"
commit=$(git -C "$repo" rev-parse HEAD)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  say "note: the work tree has uncommitted changes; they are NOT part of this check"
fi
mkdir -p "$root/src"
git -C "$repo" archive --format=tar --prefix=raftsim/ HEAD | tar -C "$root/src" -xf -
if [ -d "$repo/../shared" ]; then
  cp -R "$repo/../shared" "$root/src/shared"
  chmod -R u+w "$root/src/shared"
else
  say "note: no ../shared beside the repo: tests on its third-party data will skip"
fi
phase_done "copy of $commit"

# --- mounts ------------------------------------------------------------------------------------
mount_in_root -t proc proc "$root/proc"
mount_in_root --bind /dev "$root/dev"
mount_in_root --bind /dev/pts "$root/dev/pts"
mkdir -p "$cache/apt-archives/partial"
mount_in_root --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
say "mounted /proc, /dev, /dev/pts and the .deb download cache"

# Runs a command inside the root as root, with a bare machine's environment (no host PATH,
# no pyenv shims), in the source tree, within what is left of the time budget.
in_root() {
  local left=$(( deadline - $(date +%s) ))
  [ "$left" -gt 0 ] || die "out of time (RAFTSIM_BARE_TIMEOUT_S=$budget_s)"
  local code=0
  timeout --kill-after=30 "$left" chroot "$root" /usr/bin/env -i PATH="$chroot_path" HOME=/root \
    TERM=dumb /bin/bash -c 'cd /src/raftsim && eval "$1"' bash "$1" </dev/null || code=$?
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    die "'$1' timed out or was killed (exit $code; RAFTSIM_BARE_TIMEOUT_S=$budget_s)"
  fi
  return "$code"
}

phase "bash tools/test.sh (README test command: setup, build, ctest)"
in_root 'bash tools/test.sh' || die "'bash tools/test.sh' failed in the bare root (exit $?)"
phase_done "bash tools/test.sh"

phase "bash tools/run_demo.sh (README main job)"
in_root 'bash tools/run_demo.sh' || die "'bash tools/run_demo.sh' failed in the bare root (exit $?)"
[ -s "$root/src/raftsim/out/flagship/diagram.svg" ] \
  || die "bash tools/run_demo.sh wrote no out/flagship/diagram.svg"
phase_done "bash tools/run_demo.sh (out/flagship/diagram.svg: $(wc -c <"$root/src/raftsim/out/flagship/diagram.svg") bytes)"

for command in "${also[@]}"; do
  phase "also: $command"
  in_root "$command" || die "'$command' failed in the bare root (exit $?)"
  phase_done "also: $command"
done

say "PASS: the README's two commands work on a bare Debian $suite (commit $commit) in $(( $(date +%s) - start )) s"
if [ "${RAFTSIM_BARE_KEEP:-0}" != 1 ]; then
  for (( i=${#mounted[@]}-1; i>=0; i-- )); do umount "${mounted[i]}"; done
  mounted=()
  remove_root "$root"
fi
