//! Where the symbols are: a block-local binarizer and a finder-pattern search over it.
//!
//! A QR symbol has three finder patterns (ISO/IEC 18004 §6.3.3): 7×7-module squares whose
//! every cross-section reads dark:light:dark:light:dark in the ratio 1:1:3:1:1, at three corners
//! of the symbol. We look for that ratio along every row, confirm it along the column through
//! the middle, merge hits on the same pattern, and group patterns into triples that form a
//! right isosceles triangle. Each triple gives a [`Candidate`]: the symbol's approximate corners
//! and module size, which the pipeline crops and upscales before handing it to rqrr.

use super::Gray;

/// Side of the square blocks the binarizer computes local statistics over, in pixels.
const BLOCK: usize = 8;
/// Blocks whose max − min is at most this are treated as flat (no edge to threshold at).
const MIN_CONTRAST: u8 = 24;

/// A 1-bit frame, row-major, `true` for dark.
pub(crate) struct Bits {
    pub w: usize,
    pub h: usize,
    pub dark: Vec<bool>,
}

/// Binarizes with a threshold that is the mean of each 8×8 block, smoothed over the 5×5
/// neighbouring blocks; flat blocks take the threshold of their neighbours, or count as light.
/// Local thresholds survive dark themes, gradients and JPEG ringing, where a global one does
/// not; the 40-pixel window is wide enough to hold a whole finder pattern of modules up to ~5 px.
pub(crate) fn binarize_blocks(g: &Gray) -> Bits {
    let (w, h) = (g.w, g.h);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut level = vec![0u8; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (x0, y0) = (bx * BLOCK, by * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(w), (y0 + BLOCK).min(h));
            let (mut lo, mut hi, mut sum) = (255u8, 0u8, 0u32);
            for y in y0..y1 {
                for &p in &g.px[y * w + x0..y * w + x1] {
                    lo = lo.min(p);
                    hi = hi.max(p);
                    sum += u32::from(p);
                }
            }
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            let mut avg = (sum / n.max(1)) as u8;
            if hi - lo <= MIN_CONTRAST {
                // Flat: assume background (light), unless an edge next to it says this level
                // is on the dark side of the neighbourhood's threshold.
                avg = lo / 2;
                if bx > 0 && by > 0 {
                    let up = u32::from(level[(by - 1) * bw + bx]);
                    let left = u32::from(level[by * bw + bx - 1]);
                    let diag = u32::from(level[(by - 1) * bw + bx - 1]);
                    let neighbours = ((up + 2 * left + diag) / 4) as u8;
                    if lo < neighbours {
                        avg = neighbours;
                    }
                }
            }
            level[by * bw + bx] = avg;
        }
    }
    let mut dark = vec![false; w * h];
    for by in 0..bh {
        for bx in 0..bw {
            let (cx0, cx1) = (bx.saturating_sub(2), (bx + 3).min(bw));
            let (cy0, cy1) = (by.saturating_sub(2), (by + 3).min(bh));
            let mut sum = 0u32;
            for cy in cy0..cy1 {
                for cx in cx0..cx1 {
                    sum += u32::from(level[cy * bw + cx]);
                }
            }
            let t = (sum / ((cx1 - cx0) * (cy1 - cy0)) as u32) as u8;
            let (x0, y0) = (bx * BLOCK, by * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(w), (y0 + BLOCK).min(h));
            for y in y0..y1 {
                for x in x0..x1 {
                    dark[y * w + x] = g.px[y * w + x] <= t;
                }
            }
        }
    }
    Bits { w, h, dark }
}

/// Otsu's threshold (the level that best splits the histogram in two classes): right for a crop
/// that is mostly symbol and quiet zone, whatever the theme.
pub(crate) fn otsu(g: &Gray) -> u8 {
    let mut hist = [0u64; 256];
    for &p in &g.px {
        hist[p as usize] += 1;
    }
    let total = g.px.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0f64, 0f64, -1f64, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * c as f64;
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Thresholds at `t`: `dark` is `p <= t`, or `p > t` when `inverted` (light-on-dark symbols are
/// flipped so rqrr always sees dark modules).
pub(crate) fn threshold(g: &Gray, t: u8, inverted: bool) -> Bits {
    let dark = g.px.iter().map(|&p| (p <= t) != inverted).collect();
    Bits {
        w: g.w,
        h: g.h,
        dark,
    }
}

/// Binarizes against the mean of a `win`×`win` window (from an integral image), minus a small
/// bias so noise in flat light areas stays light. For crops whose lighting or theme varies.
pub(crate) fn binarize_mean(g: &Gray, win: usize, inverted: bool) -> Bits {
    let (w, h) = (g.w, g.h);
    let stride = w + 1;
    let mut integral = vec![0u32; stride * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += u32::from(g.px[y * w + x]);
            integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row;
        }
    }
    let r = (win / 2).max(1);
    let mut dark = vec![false; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let s = integral[y1 * stride + x1] + integral[y0 * stride + x0]
                - integral[y0 * stride + x1]
                - integral[y1 * stride + x0];
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            let p = u32::from(g.px[y * w + x]) * n;
            // 3% of the local mean as bias, away from the side the modules are on.
            dark[y * w + x] = if inverted {
                p * 100 > s * 103
            } else {
                p * 100 < s * 97
            };
        }
    }
    Bits { w, h, dark }
}

/// One finder pattern: centre, module size in pixels, polarity, and how many rows confirmed it.
#[derive(Debug, Clone, Copy)]
struct Finder {
    x: f32,
    y: f32,
    module: f32,
    inverted: bool,
    hits: u32,
}

/// A probable symbol: the centres of its three finder patterns (`corner` is the one at the right
/// angle) and the module size, in frame pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub corner: (f32, f32),
    pub a: (f32, f32),
    pub b: (f32, f32),
    pub module: f32,
    pub inverted: bool,
}

impl Candidate {
    /// The axis-aligned box around the symbol plus `margin` modules on each side, clamped to a
    /// `w`×`h` frame: `(x0, y0, x1, y1)`.
    pub fn bounds(&self, margin: f32, w: usize, h: usize) -> (usize, usize, usize, usize) {
        let d = (
            self.a.0 + self.b.0 - self.corner.0,
            self.a.1 + self.b.1 - self.corner.1,
        );
        let pts = [self.corner, self.a, self.b, d];
        let pad = (3.5 + margin) * self.module;
        let fold = |f: fn(f32, f32) -> f32, init: f32, sel: fn(&(f32, f32)) -> f32| {
            pts.iter().map(sel).fold(init, f)
        };
        let x0 = fold(f32::min, f32::MAX, |p| p.0) - pad;
        let y0 = fold(f32::min, f32::MAX, |p| p.1) - pad;
        let x1 = fold(f32::max, f32::MIN, |p| p.0) + pad;
        let y1 = fold(f32::max, f32::MIN, |p| p.1) + pad;
        let clamp = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi);
        (
            clamp(x0, w),
            clamp(y0, h),
            clamp(x1.ceil(), w),
            clamp(y1.ceil(), h),
        )
    }
}

/// Whether five run lengths read 1:1:3:1:1 within tolerance; returns the module size.
fn ratio_ok(runs: &[u32]) -> Option<f32> {
    let total: u32 = runs.iter().sum();
    if total < 7 {
        return None;
    }
    let m = total as f32 / 7.0;
    // Half a module of slack plus half a pixel, since runs are whole pixels and edges blur.
    let tol = m * 0.5 + 0.5;
    let ok = (runs[0] as f32 - m).abs() <= tol
        && (runs[1] as f32 - m).abs() <= tol
        // The centre gets a module of slack, not more: equal stripes (4:4:4:4:4) must fail.
        && (runs[2] as f32 - 3.0 * m).abs() <= m + 0.75
        && (runs[3] as f32 - m).abs() <= tol
        && (runs[4] as f32 - m).abs() <= tol;
    ok.then_some(m)
}

/// Reads the five runs through (`x`, `y`) along the column, centred on the run holding it;
/// returns the module size and the centre row.
fn cross_check_vertical(
    bits: &Bits,
    x: usize,
    y: usize,
    inverted: bool,
    max_run: u32,
) -> Option<(f32, f32)> {
    let is_dark = |yy: usize| bits.dark[yy * bits.w + x] != inverted;
    if !is_dark(y) {
        return None;
    }
    let mut runs = [0u32; 5];
    // Upwards: centre (2), light (1), dark (0).
    let mut yy = y as isize;
    for (slot, want_dark) in [(2usize, true), (1, false), (0, true)] {
        while yy >= 0 && is_dark(yy as usize) == want_dark && runs[slot] <= max_run {
            runs[slot] += 1;
            yy -= 1;
        }
        if runs[slot] == 0 || runs[slot] > max_run {
            return None;
        }
    }
    let top_of_centre = y as isize - runs[2] as isize + 1;
    let mut yy = y as isize + 1;
    for (slot, want_dark) in [(2usize, true), (3, false), (4, true)] {
        while (yy as usize) < bits.h
            && is_dark(yy as usize) == want_dark
            && runs[slot] <= max_run * 3
        {
            runs[slot] += 1;
            yy += 1;
        }
        if runs[slot] == 0 {
            return None;
        }
    }
    let m = ratio_ok(&runs)?;
    let centre = top_of_centre as f32 + runs[2] as f32 / 2.0;
    Some((m, centre))
}

/// Finds finder patterns of both polarities in `bits`.
fn find_finders(bits: &Bits) -> Vec<Finder> {
    let mut found: Vec<Finder> = Vec::new();
    let mut runs: Vec<(bool, u32, usize)> = Vec::new();
    for y in 0..bits.h {
        let row = &bits.dark[y * bits.w..(y + 1) * bits.w];
        runs.clear();
        let mut start = 0;
        for x in 1..=row.len() {
            if x == row.len() || row[x] != row[start] {
                runs.push((row[start], (x - start) as u32, start));
                start = x;
            }
        }
        for i in 0..runs.len().saturating_sub(4) {
            let inverted = !runs[i].0;
            let lens = [
                runs[i].1,
                runs[i + 1].1,
                runs[i + 2].1,
                runs[i + 3].1,
                runs[i + 4].1,
            ];
            let Some(m) = ratio_ok(&lens) else { continue };
            let centre_x = runs[i + 2].2 as f32 + runs[i + 2].1 as f32 / 2.0;
            let cx = (centre_x as usize).min(bits.w - 1);
            let Some((mv, cy)) =
                cross_check_vertical(bits, cx, y, inverted, (m * 4.0).ceil() as u32 + 2)
            else {
                continue;
            };
            if mv > m * 1.8 || m > mv * 1.8 {
                continue;
            }
            let module = (m + mv) / 2.0;
            merge(
                &mut found,
                Finder {
                    x: centre_x,
                    y: cy,
                    module,
                    inverted,
                    hits: 1,
                },
            );
        }
    }
    found
}

/// Adds a hit to the finder it belongs to (same polarity, within its centre stone), or as new.
fn merge(found: &mut Vec<Finder>, f: Finder) {
    // Hits arrive in row order, so a pattern's earlier hits are among the newest entries;
    // bounding the look-back keeps noisy frames (thousands of look-alikes) linear.
    for g in found.iter_mut().rev().take(256) {
        if g.inverted == f.inverted
            && (g.x - f.x).abs() <= g.module * 1.5 + 1.0
            && (g.y - f.y).abs() <= g.module * 1.5 + 1.0
            && g.module < f.module * 2.0
            && f.module < g.module * 2.0
        {
            let n = g.hits as f32;
            g.x = (g.x * n + f.x) / (n + 1.0);
            g.y = (g.y * n + f.y) / (n + 1.0);
            g.module = (g.module * n + f.module) / (n + 1.0);
            g.hits += 1;
            return;
        }
    }
    found.push(f);
}

/// The centroid of a finder's 3×3-module centre stone: the connected dark region under its
/// estimated centre. Run midpoints drift by up to a module on small, blurred or slanted
/// patterns; the stone's centroid does not, and the grid sampler's fit stands on these points.
/// `None` when the region is not stone-sized (it leaks into the ring, or is a speck).
fn stone_centre(bits: &Bits, f: &Finder) -> Option<(f32, f32)> {
    let (w, h) = (bits.w, bits.h);
    let (x, y) = (f.x as usize, f.y as usize);
    if x >= w || y >= h {
        return None;
    }
    let dark = |i: usize| bits.dark[i] != f.inverted;
    if !dark(y * w + x) {
        return None;
    }
    // The stone is 3×3 modules; blur and perspective may grow it, the ring must not join it.
    let max_area = (f.module * f.module * 9.0 * 2.5) as usize + 4;
    let min_area = (f.module * f.module * 9.0 * 0.3) as usize;
    // Visited marks over the window the stone can reach before it is too big anyway.
    let reach = (f.module * 5.0) as usize + 2;
    let (wx0, wy0) = (x.saturating_sub(reach), y.saturating_sub(reach));
    let (wx1, wy1) = ((x + reach + 1).min(w), (y + reach + 1).min(h));
    let ww = wx1 - wx0;
    let mut seen = vec![false; ww * (wy1 - wy0)];
    let mark = |seen: &mut Vec<bool>, px: usize, py: usize| -> bool {
        let k = (py - wy0) * ww + (px - wx0);
        !std::mem::replace(&mut seen[k], true)
    };
    let mut stack = vec![(x, y)];
    mark(&mut seen, x, y);
    let (mut sx, mut sy, mut n) = (0f64, 0f64, 0usize);
    while let Some((px, py)) = stack.pop() {
        n += 1;
        if n > max_area {
            return None;
        }
        sx += px as f64;
        sy += py as f64;
        let neighbours = [
            (px.wrapping_sub(1), py),
            (px + 1, py),
            (px, py.wrapping_sub(1)),
            (px, py + 1),
        ];
        for (qx, qy) in neighbours {
            if !(wx0..wx1).contains(&qx) || !(wy0..wy1).contains(&qy) {
                // Reaching the window's edge means the region is no stone.
                if qx < w && qy < h && dark(qy * w + qx) {
                    return None;
                }
                continue;
            }
            if dark(qy * w + qx) && mark(&mut seen, qx, qy) {
                stack.push((qx, qy));
            }
        }
    }
    (n >= min_area.max(1)).then(|| ((sx / n as f64) as f32 + 0.5, (sy / n as f64) as f32 + 0.5))
}

fn dist(p: (f32, f32), q: (f32, f32)) -> f32 {
    ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
}

/// Most finders kept for grouping; triples are cubic in this.
const MAX_FINDERS: usize = 48;

/// Finds probable symbols in a binarized frame, best first.
pub(crate) fn candidates(bits: &Bits) -> Vec<Candidate> {
    let mut finders = find_finders(bits);
    // A real finder is confirmed by most rows through its 3-module centre.
    finders.retain(|f| f.hits as f32 >= (f.module * 3.0 * 0.4).max(2.0));
    finders.sort_by(|a, b| {
        let score = |f: &Finder| f.hits as f32 / (f.module * 3.0);
        score(b).total_cmp(&score(a))
    });
    finders.truncate(MAX_FINDERS);
    for f in &mut finders {
        if let Some(c) = stone_centre(bits, f) {
            (f.x, f.y) = c;
        }
    }

    let mut triples: Vec<(f32, usize, usize, usize)> = Vec::new();
    let n = finders.len();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let [p, q, r] = [finders[i], finders[j], finders[k]];
                if p.inverted != q.inverted || p.inverted != r.inverted {
                    continue;
                }
                let (lo, hi) = [p.module, q.module, r.module]
                    .iter()
                    .fold((f32::MAX, 0f32), |(lo, hi), &m| (lo.min(m), hi.max(m)));
                if hi > lo * 1.6 {
                    continue;
                }
                let m = (p.module + q.module + r.module) / 3.0;
                // The corner is opposite the longest side.
                let (dij, dik, djk) = (
                    dist((p.x, p.y), (q.x, q.y)),
                    dist((p.x, p.y), (r.x, r.y)),
                    dist((q.x, q.y), (r.x, r.y)),
                );
                let (corner, s1, s2, hyp) = if djk >= dij && djk >= dik {
                    (i, dij, dik, djk)
                } else if dik >= dij {
                    (j, dij, djk, dik)
                } else {
                    (k, dik, djk, dij)
                };
                // Versions 1..40: finder centres 14..170 modules apart.
                let side = (s1 + s2) / 2.0 / m;
                if !(10.0..=190.0).contains(&side) {
                    continue;
                }
                let skew = (s1 - s2).abs() / s1.max(s2);
                let right = (hyp * hyp - s1 * s1 - s2 * s2).abs() / (hyp * hyp);
                if skew > 0.4 || right > 0.3 {
                    continue;
                }
                let others: Vec<usize> = [i, j, k].into_iter().filter(|&x| x != corner).collect();
                triples.push((skew + right + (hi / lo - 1.0), corner, others[0], others[1]));
            }
        }
    }
    triples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut used = vec![false; n];
    let mut out = Vec::new();
    for (_, c, a, b) in triples {
        if used[c] || used[a] || used[b] {
            continue;
        }
        used[c] = true;
        used[a] = true;
        used[b] = true;
        let [fc, fa, fb] = [finders[c], finders[a], finders[b]];
        out.push(Candidate {
            corner: (fc.x, fc.y),
            a: (fa.x, fa.y),
            b: (fb.x, fb.y),
            module: (fc.module + fa.module + fb.module) / 3.0,
            inverted: fc.inverted,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_accepts_finder_and_rejects_text_like_runs() {
        assert!(ratio_ok(&[4, 4, 12, 4, 4]).is_some());
        assert!(ratio_ok(&[1, 1, 3, 1, 1]).is_some());
        assert!(ratio_ok(&[4, 4, 4, 4, 4]).is_none());
        assert!(ratio_ok(&[1, 9, 3, 1, 1]).is_none());
    }

    #[test]
    fn otsu_splits_two_levels() {
        let g = Gray::new(4, 1, vec![20, 30, 200, 210]);
        let t = otsu(&g);
        assert!((30..200).contains(&t), "{t}");
    }
}
