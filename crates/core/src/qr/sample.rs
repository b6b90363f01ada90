//! Grid sampling from finder positions, for symbols rqrr's own locator misreads.
//!
//! Given the three finder centres of a [`Candidate`], estimate the symbol's size in modules
//! (ISO/IEC 18004 §6.3.1: 17 + 4·version), locate the bottom-right alignment pattern (§6.3.6)
//! by template matching on the grayscale, fit a perspective transform through the four points,
//! and read each module at its centre with bilinear interpolation. The module values are split
//! by Otsu into dark and light and handed to rqrr's decoder (format info, Reed–Solomon,
//! segments). Reading the grayscale at sub-pixel positions is what rescues modules of 1–3 px.

use rqrr::{Grid, SimpleGrid};

use super::detect::Candidate;
use super::Gray;

/// A plane projective transform from module coordinates to pixels.
struct Homography([f64; 8]);

impl Homography {
    /// Solves for the transform taking each `src[i]` to `dst[i]`; `None` when degenerate.
    fn from_points(src: [(f64, f64); 4], dst: [(f64, f64); 4]) -> Option<Self> {
        let mut a = [[0f64; 9]; 8];
        for i in 0..4 {
            let ((u, v), (x, y)) = (src[i], dst[i]);
            a[2 * i] = [u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x, x];
            a[2 * i + 1] = [0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y, y];
        }
        // Gaussian elimination with partial pivoting on the 8×8 system.
        for col in 0..8 {
            let pivot = (col..8).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
            if a[pivot][col].abs() < 1e-9 {
                return None;
            }
            a.swap(col, pivot);
            for row in 0..8 {
                if row != col {
                    let f = a[row][col] / a[col][col];
                    if f != 0.0 {
                        let pivot_row = a[col];
                        for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                            *x -= f * p;
                        }
                    }
                }
            }
        }
        let mut h = [0f64; 8];
        for (i, hi) in h.iter_mut().enumerate() {
            *hi = a[i][8] / a[i][i];
        }
        h.iter().all(|v| v.is_finite()).then_some(Homography(h))
    }

    fn map(&self, u: f64, v: f64) -> (f64, f64) {
        let h = &self.0;
        let d = h[6] * u + h[7] * v + 1.0;
        (
            (h[0] * u + h[1] * v + h[2]) / d,
            (h[3] * u + h[4] * v + h[5]) / d,
        )
    }
}

/// Bilinear sample at a pixel-centre coordinate; `None` outside the frame.
fn sample(g: &Gray, x: f64, y: f64) -> Option<f64> {
    let (x, y) = (x - 0.5, y - 0.5);
    if !(x > -0.5 && y > -0.5 && x < g.w as f64 - 0.5 && y < g.h as f64 - 0.5) {
        return None;
    }
    let (x, y) = (x.max(0.0), y.max(0.0));
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(g.w - 1), (y0 + 1).min(g.h - 1));
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let p = |xx: usize, yy: usize| f64::from(g.px[yy * g.w + xx]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    Some(top * (1.0 - fy) + bot * fy)
}

/// Otsu's split of a set of sample values.
fn otsu(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().sum();
    let (mut sum0, mut best, mut best_t) = (0.0, -1.0, 127.0);
    for (i, &v) in sorted
        .iter()
        .enumerate()
        .take(sorted.len().saturating_sub(1))
    {
        sum0 += v;
        let w0 = (i + 1) as f64;
        let w1 = n - w0;
        let (m0, m1) = (sum0 / w0, (total - sum0) / w1);
        let between = w0 * w1 * (m1 - m0) * (m1 - m0);
        if between > best && sorted[i + 1] > v {
            best = between;
            best_t = (v + sorted[i + 1]) / 2.0;
        }
    }
    best_t
}

/// Symbol sizes (modules per side) worth trying for finder centres `side` modules apart,
/// nearest first.
fn dimensions(side: f64) -> Vec<usize> {
    let dim = side + 7.0;
    let version = ((dim - 17.0) / 4.0).round().clamp(1.0, 40.0) as usize;
    let mut out = vec![version];
    if version > 1 {
        out.push(version - 1);
    }
    if version < 40 {
        out.push(version + 1);
    }
    out.sort_by(|&a, &b| {
        let d = |v: usize| ((17 + 4 * v) as f64 - dim).abs();
        d(a).total_cmp(&d(b))
    });
    out.into_iter().map(|v| 17 + 4 * v).collect()
}

/// How far from the affine prediction the alignment search looks, in quarter modules (±5
/// modules: perspective moves the corner far from where a parallelogram puts it).
const ALIGN_REACH: i32 = 20;

/// Where the bottom-right alignment pattern's centre is in the frame, refined by matching the
/// 5×5 template (dark centre, light ring, dark ring) around the affine prediction.
///
/// Every template position in the search lies on a quarter-module lattice, so the frame is
/// sampled once on that lattice and the scores are sums of lookups.
fn find_alignment(g: &Gray, affine: &Homography, dim: usize, inverted: bool) -> Option<(f64, f64)> {
    let c = dim as f64 - 6.5;
    // Lattice offsets from c, in quarter modules: the reach plus the template's ±2 modules.
    let half = ALIGN_REACH + 8;
    let side = (2 * half + 1) as usize;
    let mut lattice = Vec::with_capacity(side * side);
    for j in -half..=half {
        for i in -half..=half {
            let (x, y) = affine.map(c + f64::from(i) / 4.0, c + f64::from(j) / 4.0);
            lattice.push(sample(g, x, y).map(|v| if inverted { 255.0 - v } else { v }));
        }
    }
    let at = |i: i32, j: i32| lattice[((j + half) as usize) * side + (i + half) as usize];
    let score = |si: i32, sj: i32| -> Option<f64> {
        let (mut dark, mut light) = (0.0, 0.0);
        for j in -2i32..=2 {
            for i in -2i32..=2 {
                let v = at(si + 4 * i, sj + 4 * j)?;
                if i.abs().max(j.abs()) == 1 {
                    light += v / 8.0;
                } else if i == 0 && j == 0 {
                    dark += v / 2.0;
                } else {
                    dark += v / 32.0;
                }
            }
        }
        Some(light - dark)
    };
    let (mut best, mut best_at) = (f64::MIN, (0.0, 0.0));
    for sj in -ALIGN_REACH..=ALIGN_REACH {
        for si in -ALIGN_REACH..=ALIGN_REACH {
            if let Some(s) = score(si, sj) {
                let (du, dv) = (f64::from(si) / 4.0, f64::from(sj) / 4.0);
                // Prefer the prediction when scores tie.
                let s = s - (du * du + dv * dv) * 0.5;
                if s > best {
                    best = s;
                    best_at = (du, dv);
                }
            }
        }
    }
    (best > 30.0).then(|| affine.map(c + best_at.0, c + best_at.1))
}

/// Samples and decodes the symbol a candidate points at; returns the payload bytes.
pub(crate) fn decode(g: &Gray, c: &Candidate) -> Option<Vec<u8>> {
    let p = |t: (f32, f32)| (f64::from(t.0), f64::from(t.1));
    let (corner, a, b) = (p(c.corner), p(c.a), p(c.b));
    // Image y points down: the top-right finder is the one for which the turn from it to the
    // bottom-left one, seen from the corner, is clockwise.
    let cross = (a.0 - corner.0) * (b.1 - corner.1) - (a.1 - corner.1) * (b.0 - corner.0);
    let (right, left) = if cross > 0.0 { (a, b) } else { (b, a) };
    let m = f64::from(c.module);
    let dist = |p: (f64, f64), q: (f64, f64)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
    let side = (dist(corner, right) + dist(corner, left)) / 2.0 / m;
    for dim in dimensions(side) {
        let far = dim as f64 - 3.5;
        let fourth = (right.0 + left.0 - corner.0, right.1 + left.1 - corner.1);
        let src = [(3.5, 3.5), (far, 3.5), (3.5, far), (far, far)];
        let affine = Homography::from_points(src, [corner, right, left, fourth])?;
        let mut fits = vec![affine];
        if dim > 21 {
            if let Some(al) = find_alignment(g, &fits[0], dim, c.inverted) {
                let near = dim as f64 - 6.5;
                let src = [(3.5, 3.5), (far, 3.5), (3.5, far), (near, near)];
                if let Some(h) = Homography::from_points(src, [corner, right, left, al]) {
                    fits.insert(0, h);
                }
            }
        }
        for h in &fits {
            if let Some(bytes) = read_grid(g, h, dim, c.inverted) {
                return Some(bytes);
            }
        }
    }
    None
}

/// Reads the `dim`×`dim` modules through `h` and decodes them: split by one threshold for the
/// whole symbol (Otsu) first, then, for light that changes across the symbol (glare, shadow,
/// a curved page), by a threshold local to each module's neighbourhood.
fn read_grid(g: &Gray, h: &Homography, dim: usize, inverted: bool) -> Option<Vec<u8>> {
    let mut values = Vec::with_capacity(dim * dim);
    for y in 0..dim {
        for x in 0..dim {
            let (px, py) = h.map(x as f64 + 0.5, y as f64 + 0.5);
            values.push(sample(g, px, py)?);
        }
    }
    let t = otsu(&values);
    if let Some(bytes) = decode_grid(dim, |x, y| (values[y * dim + x] < t) != inverted) {
        return Some(bytes);
    }
    let local = local_thresholds(&values, dim);
    decode_grid(dim, |x, y| {
        (values[y * dim + x] < local[y * dim + x]) != inverted
    })
}

/// Share of timing-pattern modules (row and column 6 between the finders, ISO/IEC 18004
/// §6.3.5) a grid must read right to be worth error correction: a grid sampled at the wrong
/// size or through a bad fit reads them at chance (~½), a good one near 1.
const MIN_TIMING: f64 = 0.7;

/// Decodes a module grid; `dark(x, y)` says whether a module is dark. Grids whose timing
/// patterns do not read right are refused before the (costly) Reed–Solomon decoding.
fn decode_grid(dim: usize, dark: impl Fn(usize, usize) -> bool) -> Option<Vec<u8>> {
    let span = 8..dim - 8;
    let right = span.clone().filter(|&i| dark(i, 6) == (i % 2 == 0)).count()
        + span.clone().filter(|&i| dark(6, i) == (i % 2 == 0)).count();
    if (right as f64) < (2 * span.len()) as f64 * MIN_TIMING {
        return None;
    }
    let grid = SimpleGrid::from_func(dim, dark);
    let mut out = Vec::new();
    Grid::new(grid).decode_to(&mut out).ok().map(|_| out)
}

/// Per-module thresholds: the midpoint of the darkest and lightest module within ±`R` modules,
/// or the whole symbol's Otsu split where the neighbourhood has too little contrast to tell.
fn local_thresholds(values: &[f64], dim: usize) -> Vec<f64> {
    const R: usize = 4;
    let global = otsu(values);
    let (lo_all, hi_all) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let mut out = Vec::with_capacity(values.len());
    for y in 0..dim {
        for x in 0..dim {
            let (mut lo, mut hi) = (f64::MAX, f64::MIN);
            for yy in y.saturating_sub(R)..(y + R + 1).min(dim) {
                for &v in &values[yy * dim + x.saturating_sub(R)..yy * dim + (x + R + 1).min(dim)] {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            out.push(if hi - lo < (hi_all - lo_all) * 0.25 {
                global
            } else {
                (lo + hi) / 2.0
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_its_points() {
        let src = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)];
        let dst = [(10.0, 10.0), (30.0, 12.0), (8.0, 40.0), (33.0, 45.0)];
        let h = Homography::from_points(src, dst).unwrap();
        for (s, d) in src.iter().zip(dst) {
            let (x, y) = h.map(s.0, s.1);
            assert!(
                (x - d.0).abs() < 1e-6 && (y - d.1).abs() < 1e-6,
                "{x},{y} vs {d:?}"
            );
        }
        assert!(Homography::from_points(src, [(0.0, 0.0); 4]).is_none());
    }

    #[test]
    fn dimensions_snap_to_versions() {
        assert_eq!(dimensions(14.2)[0], 21);
        assert_eq!(dimensions(50.0)[0], 57);
        assert!(dimensions(500.0).iter().all(|&d| d <= 177));
    }
}
