#!/usr/bin/env bash
# Plots, through the shell and a real gnuplot:
#   - every plot kind saved to PNG, each a valid image of the expected size
#     with non-blank content;
#   - the data sent to gnuplot (its script log) holds the recorded numbers;
#   - gnuplot absent from PATH: every plot command still succeeds, with
#     one message;
#   - gnuplot killed during train: training completes, a later plot works.
# Prints TAP lines.
set -u
cd "$(dirname "$0")/.." || exit 1
NNLAB=${NNLAB:-$PWD/build/nnlab}
export LC_ALL=C NO_COLOR=1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# live frames of the file terminals go to ./plot-KIND.png: not the tree
cd "$dir" || exit 1
n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
fail() { n=$((n + 1)); echo "not ok $n $*"; }

# "W H" of a PNG from its IHDR chunk, or nothing if it is not a PNG.
png_size() {
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        return 1
    od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4,
                                          $5*16777216 + $6*65536 + $7*256 + $8 }'
}

kinds="loss acc weights grads updates acts whist gradcheck boundary data lr compare search ewa"
# plot augment needs images: below, on digits
{
    echo "data circles n=200 seed=2"
    echo "net 2 8 4 1"
    echo "optim adam lr=0.01"
    echo "train 20 epochs"
    echo "gradcheck"
    echo "forward"
    echo "compare optim=gd,adam epochs=3"
    echo "search lr=1e-3..1e-1:log n=4 epochs=2"
    echo "ewa beta=0.9,0.98"
    echo "plot term png"
    for k in $kinds; do echo "plot save $dir/$k.png $k"; done
    echo "plot save $dir/two-words.png weights hist"   # as plot takes it
} >"$dir/all.nn"
NNLAB_GNUPLOT_LOG="$dir/gnuplot.log" "$NNLAB" -q <"$dir/all.nn" >"$dir/all.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "plot script runs" || { fail "plot script runs (exit $rc)"; cat "$dir/all.out"; }

# A blank 1024x768 PNG from the same terminal is a few kB; a chart is more.
for k in $kinds two-words; do
    f="$dir/$k.png"
    size=$( [ -f "$f" ] && png_size "$f")
    bytes=$( [ -f "$f" ] && stat -c %s "$f" || echo 0)
    if [ "$size" = "1024 768" ] && [ "$bytes" -gt 12000 ]; then
        ok "plot $k: PNG 1024x768, $bytes bytes"
    else
        fail "plot $k: got '${size:-no PNG}', $bytes bytes"
    fi
done

# Data go inline in data blocks; a NaN or Inf value is never sent as data
# (the plot expressions may use NaN to hide points: that is not data).
if grep -q 'EOD' "$dir/gnuplot.log" &&
   ! grep -qiE '^([-+0-9.e]+ )*[-+]?(nan|inf)' "$dir/gnuplot.log"; then
    ok "data sent inline in data blocks, no NaN"
else
    fail "data blocks in the gnuplot log"
fi
if grep -q "Gradient norm per layer" "$dir/gnuplot.log" &&
   grep -q "layer 2" "$dir/gnuplot.log"; then
    ok "grads plot names each layer"
else
    fail "grads plot names each layer"
fi

# The loss frame carries exactly the recorded numbers: every iteration's
# cost (history csv, %.17g) appears in the data block of the batch costs
# (%.10g), in order.
printf 'data circles n=60 seed=1\nnet 2 3 1\nbatch full\nplot term png\ntrain 5 iters\nplot loss\nhistory csv %s\n' \
    "$dir/h.csv" >"$dir/exact.nn"
(cd "$dir" && NNLAB_GNUPLOT_LOG="$dir/exact.log" "$NNLAB" -q exact.nn >/dev/null 2>&1)
want=$(awk -F, 'NR > 1 { printf "%d %.10g\n", $1, $3 }' "$dir/h.csv")
got=$(awk '/^\$w0_s0 << EOD/ { on = 1; next } /^EOD/ { on = 0 } on' "$dir/exact.log")
if [ -n "$want" ] && [ "$want" = "$got" ]; then
    ok "loss data block holds the recorded costs exactly ($(echo "$want" | wc -l) points)"
else
    fail "loss data block: want '$want', got '$got'"
fi

# plot augment: digits beside augmented draws, as one grey image with
# the columns named; plot data: four panels, the stages of whitening.
printf 'data digits\naugment shift=1 rotate=10\nplot term png\nplot save %s augment\n' \
    "$dir/augment.png" >"$dir/augment.nn"
NNLAB_GNUPLOT_LOG="$dir/augment.log" "$NNLAB" -q "$dir/augment.nn" \
    >"$dir/augment.out" 2>&1
size=$(png_size "$dir/augment.png" 2>/dev/null)
bytes=$(stat -c %s "$dir/augment.png" 2>/dev/null || echo 0)
if [ "$size" = "1024 768" ] && [ "$bytes" -gt 12000 ] &&
   grep -q 'matrix with image' "$dir/augment.log" &&
   grep -q "'draw 4'" "$dir/augment.log"; then
    ok "plot augment: PNG 1024x768, $bytes bytes, an image grid with its columns named"
else
    fail "plot augment: got '${size:-no PNG}', $bytes bytes"
    sed 's/^/#   /' "$dir/augment.out" | head -20
fi
if grep -q "'raw: x'" "$dir/gnuplot.log" &&
   grep -q "'centred: x - mu'" "$dir/gnuplot.log" &&
   grep -q "'decorrelated: V (x - mu)'" "$dir/gnuplot.log" &&
   grep -q "'whitened: V(x-mu)/sqrt(lambda+eps)'" "$dir/gnuplot.log"
then
    ok "plot data: raw, centred, decorrelated and whitened panels"
else
    fail "plot data: the four panels"
fi

# plot acts: each panel's x range follows its layer's spread (std 0.01
# weights shrink the activations layer by layer: no two panels alike, none
# the fixed [-1:1] of tanh), the y axis is labelled, and the title names
# the pass the activations come from (evaluation, then training mode).
printf 'data circles n=200 seed=2\nnet 2 10*8 1 act=tanh\ninit normal 0.01\nforward\nplot term png\nplot save %s acts\nforward train\nplot save %s acts\n' \
    "$dir/acts_e.png" "$dir/acts_t.png" >"$dir/acts.nn"
NNLAB_GNUPLOT_LOG="$dir/acts.log" "$NNLAB" -q "$dir/acts.nn" >"$dir/acts.out" 2>&1
ranges=$(awk '/^set multiplot/ { f++ } f == 1 && /^set xrange/' "$dir/acts.log")
distinct=$(echo "$ranges" | sort -u | wc -l)
echo "# plot acts, net 2 10*8 1 tanh, init normal 0.01: $distinct distinct x ranges of $(echo "$ranges" | wc -l) panels; first $(echo "$ranges" | head -1), layer 8 $(echo "$ranges" | sed -n 8p)"
if [ "$distinct" -eq 9 ] && ! echo "$ranges" | grep -q '\[-1:1\]' &&
   grep -q "^set ylabel 'units x examples'" "$dir/acts.log" &&
   grep -q "title 'Activations per layer: last pass, 140 examples in evaluation mode" "$dir/acts.log" &&
   grep -q "title 'Activations per layer: last pass, [0-9]* examples in training mode" "$dir/acts.log"
then
    ok "plot acts: x range per layer's spread ($distinct distinct), y labelled, the pass named"
else
    fail "plot acts: x ranges, y label, the pass in the title"
    echo "$ranges" | sed 's/^/#   /'
fi

# plot grads with many layers: each layer a point type of its own (not
# nine lines told apart by colour alone), and per-epoch means: 20 epochs of
# 3 updates (140 examples in batches of 64, the last of 12) give 20
# points, without the short batch's spike, and the chart says so.
printf 'data circles n=200 seed=2\nnet 2 10*8 1\ntrain 20 epochs\nplot term png\nplot save %s grads\n' \
    "$dir/grads8.png" >"$dir/grads8.nn"
NNLAB_GNUPLOT_LOG="$dir/grads8.log" "$NNLAB" -q "$dir/grads8.nn" >"$dir/grads8.out" 2>&1
marks=$(grep -o ' pt [0-9]* ps 1.2' "$dir/grads8.log" | sort -u | wc -l)
points=$(awk '/^\$w3_s0 << EOD/ { on = 1; next } /^EOD/ { on = 0 } on' "$dir/grads8.log" | wc -l)
echo "# plot grads, net 2 10*8 1, 20 epochs of 3 updates: $marks distinct point types, $points points per layer"
if [ "$marks" -eq 9 ] && [ "$points" -eq 20 ] &&
   grep -q 'the mean over one epoch' "$dir/grads8.log"; then
    ok "plot grads: 9 layers with 9 point types, 20 per-epoch means, the note says so"
else
    fail "plot grads: $marks point types, $points points"
fi

# plot ewa: one colour per beta, its corrected line solid and its
# uncorrected dashed in that colour; on the 365 days a log day axis, so the
# first days (where the correction matters) are readable.
printf 'ewa beta=0.5,0.9,0.98\nplot term png\nplot save %s ewa\n' "$dir/ewa3.png" >"$dir/ewa3.nn"
NNLAB_GNUPLOT_LOG="$dir/ewa3.log" "$NNLAB" -q "$dir/ewa3.nn" >"$dir/ewa3.out" 2>&1
pairs=0
for b in 0.5 0.9 0.98; do
    solid=$(grep "title 'beta $b corrected'" "$dir/ewa3.log" | grep -v ' dt ' | grep -o "lc rgb '#[0-9a-f]*'")
    dashed=$(grep "title 'beta $b no correction'" "$dir/ewa3.log" | grep ' dt 2' | grep -o "lc rgb '#[0-9a-f]*'")
    [ -n "$solid" ] && [ "$solid" = "$dashed" ] && pairs=$((pairs + 1))
done
colours=$(grep -o "lc rgb '#[0-9a-f]*' title 'beta [0-9.]* corrected'" "$dir/ewa3.log" | cut -d"'" -f2 | sort -u | wc -l)
echo "# plot ewa beta=0.5,0.9,0.98: $pairs betas with solid and dashed in one colour, $colours colours"
if [ "$pairs" -eq 3 ] && [ "$colours" -eq 3 ] && grep -q '^set logscale x' "$dir/ewa3.log"; then
    ok "plot ewa: one colour per beta (solid corrected, dashed not), log day axis"
else
    fail "plot ewa: $pairs pairs, $colours colours"
fi

# plot boundary and plot data show the dev split too, in a marker of its
# own (open triangles: pt 8; on the dumb terminal ^ v ...), and the
# boundary's legend goes under the plane instead of taking its width.
printf 'data moons\nnet 2 8 1\ntrain 5 epochs\nplot term png\nplot save %s boundary\nplot save %s data\n' \
    "$dir/bdev.png" "$dir/ddev.png" >"$dir/bdev.nn"
NNLAB_GNUPLOT_LOG="$dir/bdev.log" "$NNLAB" -q "$dir/bdev.nn" >"$dir/bdev.out" 2>&1
devs=$(grep -c "with points pt 8 ps 1.4 lw 2.5 .* title 'dev: [01]'" "$dir/bdev.log")
echo "# plot boundary and data on moons: $devs plot lines drawing dev points in open triangles"
if [ "$devs" -ge 4 ] && grep -q 'pt "^" title .dev: 0.' "$dir/bdev.log" &&
   grep -q 'set key below horizontal' "$dir/bdev.log"; then
    ok "plot boundary, plot data: the dev split in open triangles, the legend under the plane"
else
    fail "plot boundary, plot data: dev points ($devs), legend"
fi

# gnuplot not on PATH: every plot command succeeds and says why.
mkdir -p "$dir/no-gnuplot"
{
    echo "data circles"
    echo "net 2 4 1"
    echo "plot loss"
    echo "train 2 epochs"
    echo "gradcheck"
    echo "forward"
    echo "compare optim=gd,adam epochs=1"
    echo "search lr=1e-3..1e-1:log n=2 epochs=1"
    echo "ewa"
    for k in $kinds; do echo "plot $k"; done
    echo "plot term png"
    echo "plot save $dir/none.png loss"
    echo "plot off"
    echo "eval"
} | PATH="$dir/no-gnuplot" "$NNLAB" -q >"$dir/missing.out" 2>&1
rc=$?
msgs=$(grep -c 'gnuplot' "$dir/missing.out")
if [ $rc -eq 0 ] && [ "$msgs" -ge 1 ] && grep -q 'train ' "$dir/missing.out"
then
    ok "gnuplot not on PATH: every plot command exits 0, $msgs message line(s), eval goes on"
else
    fail "gnuplot not on PATH (exit $rc)"
    sed 's/^/#   /' "$dir/missing.out" | head -20
fi

# gnuplot killed during train: training completes, a later plot works.
# Training lasts about a second; gnuplot is killed once the first
# progress line shows that training has started.
cat >"$dir/kill.nn" <<EOS
data circles n=2000
net 2 64 64 1
batch 4
plot term png
plot loss
train 40 epochs every=1
plot save $dir/after.png loss
eval
EOS
"$NNLAB" -q <"$dir/kill.nn" >"$dir/kill.out" 2>&1 &
pid=$!
gp=""
for _ in $(seq 100); do
    grep -q '^iter' "$dir/kill.out" && gp=$(pgrep -P $pid gnuplot) && break
    sleep 0.02
done
[ -n "$gp" ] && kill -9 "$gp"
wait $pid
rc=$?
# the death is said exactly once
said=$(grep -c 'gnuplot was killed' "$dir/kill.out")
if [ $rc -eq 0 ] && grep -q 'done after' "$dir/kill.out" && [ "$said" -eq 1 ] &&
   [ "$(png_size "$dir/after.png" 2>/dev/null)" = "1024 768" ]; then
    ok "gnuplot killed during train: training completes, next plot works"
else
    fail "gnuplot killed during train (exit $rc, gnuplot pid ${gp:-none})"
    cat "$dir/kill.out"
fi
