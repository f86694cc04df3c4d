#!/usr/bin/env bash
# HEIC input: `confmedia render` (libheif decode with the container's
# transformations, then the large, medium and square renditions through
# libjpeg-turbo) against libheif's own `heif-convert` (decode, one
# full-size JPEG) on the same HEIC files, made with heif-enc from the real
# camera photos of the shared data. One process per file for both tools,
# one file at a time, RUNS runs alternating the tools; prints each run's
# seconds and the medians. Needs libheif-examples (heif-enc, heif-convert)
# and the cgo build's libheif-dev.
#
#   RUNS=5 CONFMEDIA_SHARED_DATA=/work/shared/data pipeline/rendition/heifcompare/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
data=${CONFMEDIA_SHARED_DATA:-$root/../shared/data}/photos
runs=${RUNS:-5}
for tool in heif-enc heif-convert; do
	command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install libheif-examples" >&2; exit 1; }
done

shopt -s nullglob
srcs=("$data"/faces/*.jpg "$data"/cameras/gps/*.jpg "$data"/cameras/Reconyx_HC500_Hyperfire.jpg "$data"/exif-orientation/Landscape_6.jpg)
if [ ${#srcs[@]} -eq 0 ]; then
	echo "no photos under $data: set CONFMEDIA_SHARED_DATA" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/confmedia-vs-heif-convert.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/heic" "$work/cm" "$work/hc"

echo "== building bin/confmedia (cgo) and making ${#srcs[@]} HEICs with heif-enc -q 90"
(cd "$root" && go build -o bin/confmedia ./cmd/confmedia)
px=0
for s in "${srcs[@]}"; do
	n=$(basename "$(dirname "$s")")-$(basename "$s" .jpg)
	heif-enc -q 90 -o "$work/heic/$n.heic" "$s" >/dev/null
	px=$((px + $(heif-info "$work/heic/$n.heic" | awk '/^image:/ {split($2, d, "x"); print d[1]*d[2]; exit}')))
done
heics=("$work"/heic/*.heic)
echo "${#heics[@]} files, $(du -cb "${heics[@]}" | tail -1 | cut -f1) bytes, $((px / 1000)) kilopixels"

# timed CMD: runs the shell command CMD and prints its wall, user and
# system seconds (children included).
timed() {
	/usr/bin/time -f '%e %U %S' -o "$work/t" bash -c "$1"
	cat "$work/t"
}
cm="for f in $work/heic/*.heic; do '$root/bin/confmedia' render --parallel 1 --out '$work/cm' \"\$f\" 2>/dev/null; done"
hc="for f in $work/heic/*.heic; do heif-convert -q 85 \"\$f\" '$work/hc/out.jpg' >/dev/null; done"

cm_w=() hc_w=() cm_c=() hc_c=()
for r in $(seq "$runs"); do
	if [ $((r % 2)) -eq 1 ]; then
		read -r aw au as < <(timed "$cm")
		read -r bw bu bs < <(timed "$hc")
	else
		read -r bw bu bs < <(timed "$hc")
		read -r aw au as < <(timed "$cm")
	fi
	ac=$(awk -v u="$au" -v s="$as" 'BEGIN {print u + s}')
	bc=$(awk -v u="$bu" -v s="$bs" 'BEGIN {print u + s}')
	cm_w+=("$aw") hc_w+=("$bw") cm_c+=("$ac") hc_c+=("$bc")
	printf 'run %d: confmedia render %.2f s wall %.2f s CPU; heif-convert %.2f s wall %.2f s CPU\n' "$r" "$aw" "$ac" "$bw" "$bc"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
n=${#heics[@]}
for what in wall CPU; do
	if [ "$what" = wall ]; then mc=$(median "${cm_w[@]}") mh=$(median "${hc_w[@]}"); else mc=$(median "${cm_c[@]}") mh=$(median "${hc_c[@]}"); fi
	awk -v what="$what" -v runs="$runs" -v n="$n" -v c="$mc" -v h="$mh" 'BEGIN {
		printf "median %s of %d runs: confmedia render %.2f s (%.0f ms a file, 3 renditions), heif-convert %.2f s (%.0f ms a file, 1 full-size JPEG); heif-convert / confmedia %.2f\n",
			what, runs, c, c * 1000 / n, h, h * 1000 / n, h / c }'
done
