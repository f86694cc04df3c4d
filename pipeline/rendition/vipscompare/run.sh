#!/usr/bin/env bash
# Renders the same photos with confmedia (`bin/confmedia render`, the default
# libjpeg-turbo build, and a CGO_ENABLED=0 build) and with libvips
# in-process (vipscompare), two photos in flight each, in RUNS paired runs
# that alternate the tools, and prints each run's photos/s, the median
# ratios to libvips, peak RSS, then SSIM against a Lanczos3 reference and
# file sizes. Run from anywhere; needs libvips-dev (pkg-config vips),
# libjpeg62-turbo-dev and /usr/bin/time (Debian package time).
#
#   RUNS=5 PHOTO_SET=/tmp/photo-set PUREGO=1 QUALITY=1 run.sh
#
# PHOTO_SET is the output of shared/tools/make-photo-set.sh: p24_*.jpg
# (6000x4000) and p45_*.jpg (8256x5504). The three 45 MP photos are given
# four times each, so that both workers stay busy to the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
set_dir=${PHOTO_SET:-${CONFMEDIA_PHOTO_SET:-/tmp/photo-set}}
runs=${RUNS:-5}
purego=${PUREGO:-1}
quality=${QUALITY:-1}

shopt -s nullglob
p24=("$set_dir"/p24_*.jpg)
p45=("$set_dir"/p45_*.jpg)
if [ ${#p24[@]} -eq 0 ] || [ ${#p45[@]} -eq 0 ]; then
	echo "no photos in $set_dir: build them with shared/tools/make-photo-set.sh $set_dir" >&2
	exit 1
fi

echo "== building"
(cd "$root" && go build -o bin/confmedia ./cmd/confmedia)
(cd "$root" && CGO_ENABLED=0 go build -o bin/confmedia-purego ./cmd/confmedia)
(cd "$here" && go build -o "$root/bin/vipscompare" .)

work=$(mktemp -d "${TMPDIR:-/tmp}/confmedia-vs-vips.XXXXXX")
trap 'rm -rf "$work"' EXIT

# timed OUTDIR CMD... runs CMD with its renditions in OUTDIR and prints
# "seconds peak-RSS-KB".
timed() {
	local out=$1
	shift
	rm -rf "$out"
	mkdir -p "$out"
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$work/rss" "$@" --out "$out" "${files[@]}" >/dev/null 2>"$work/err" ||
		{ cat "$work/err" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$(calc "$t1 - $t0") $(tail -1 "$work/rss")"
}

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(go version | cut -d' ' -f3), libvips $(pkg-config --modversion vips)"
for class in 24 45; do
	if [ "$class" = 24 ]; then files=("${p24[@]}"); else files=("${p45[@]}" "${p45[@]}" "${p45[@]}" "${p45[@]}"); fi
	n=${#files[@]}
	echo
	echo "== $class MP: $n photos a run, two in flight, $runs paired runs (one warm-up pair first)"
	printf '%-4s %16s %16s %16s %9s %9s\n' run "confmedia p/s" "libvips p/s" "purego p/s" "c/vips" "pure/vips"
	: >"$work/ratio" >"$work/pratio" >"$work/c" >"$work/v" >"$work/p" >"$work/crss" >"$work/vrss" >"$work/prss"
	for i in $(seq 0 "$runs"); do
		# Alternate which tool goes first, so that drift in the machine's
		# load falls on both.
		if [ $((i % 2)) = 0 ]; then
			c=$(timed "$work/ours" "$root/bin/confmedia" render --parallel 2)
			v=$(timed "$work/vips" "$root/bin/vipscompare" render -parallel 2)
		else
			v=$(timed "$work/vips" "$root/bin/vipscompare" render -parallel 2)
			c=$(timed "$work/ours" "$root/bin/confmedia" render --parallel 2)
		fi
		p="0 0"
		if [ "$purego" = 1 ]; then
			p=$(timed "$work/pure" "$root/bin/confmedia-purego" render --parallel 2)
		fi
		read -r cs crss <<<"$c"
		read -r vs vrss <<<"$v"
		read -r ps prss <<<"$p"
		cps=$(calc "$n / $cs")
		vps=$(calc "$n / $vs")
		pps=0
		[ "$purego" = 1 ] && pps=$(calc "$n / $ps")
		ratio=$(calc "$cps / $vps")
		pratio=$(calc "$pps / $vps")
		if [ "$i" = 0 ]; then
			printf '%-4s %16.2f %16.2f %16.2f %9.3f %9.3f  (warm-up, not counted)\n' "w" "$cps" "$vps" "$pps" "$ratio" "$pratio"
			continue
		fi
		printf '%-4s %16.2f %16.2f %16.2f %9.3f %9.3f\n' "$i" "$cps" "$vps" "$pps" "$ratio" "$pratio"
		echo "$ratio" >>"$work/ratio"
		echo "$pratio" >>"$work/pratio"
		echo "$cps" >>"$work/c"
		echo "$vps" >>"$work/v"
		echo "$pps" >>"$work/p"
		echo "$crss" >>"$work/crss"
		echo "$vrss" >>"$work/vrss"
		echo "$prss" >>"$work/prss"
	done
	printf '%-4s %16.2f %16.2f %16.2f %9.3f %9.3f\n' median "$(median <"$work/c")" "$(median <"$work/v")" \
		"$(median <"$work/p")" "$(median <"$work/ratio")" "$(median <"$work/pratio")"
	echo "$class MP: median photos/s ratio confmedia/libvips $(median <"$work/ratio" | xargs printf '%.3f'), purego/libvips $(median <"$work/pratio" | xargs printf '%.3f')"
	echo "$class MP: median peak RSS: confmedia $(median <"$work/crss") KB, libvips $(median <"$work/vrss") KB, purego $(median <"$work/prss") KB"
	echo
	echo "== $class MP quality: SSIM of the encoded renditions against a Lanczos3 reference of the full-size original, and sizes"
	"$root/bin/vipscompare" quality -ours "$work/ours" -vips "$work/vips" "${files[@]}"
done

if [ "$quality" = 1 ]; then
	echo
	echo "== confmedia's rendition pixels (before JPEG encoding) against the Lanczos3 reference, every photo"
	(cd "$root" && CONFMEDIA_QUALITY_SET="$set_dir" go test -count 1 -run '^TestPhotoSetQuality$' -v ./pipeline/rendition |
		grep -E 'SSIM|^(ok|FAIL|---)')
fi
