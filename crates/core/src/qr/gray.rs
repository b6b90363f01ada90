//! An 8-bit grayscale frame and the pixel operations the pipeline needs: conversion from RGBA,
//! cropping and upscaling.

/// Row-major 8-bit luminance, 0 = black.
#[derive(Clone)]
pub(crate) struct Gray {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

/// ITU-R BT.601 luma in 8.8 fixed point, as image's `to_luma8` and most decoders compute it.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    // 77 + 150 + 29 = 256, so the sum of three u8s times their weights fits in u32 and the
    // shifted result is at most 255.
    ((u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29) >> 8) as u8
}

impl Gray {
    /// Wraps a buffer; `px.len()` must be `w * h` (callers check it).
    pub fn new(w: usize, h: usize, px: Vec<u8>) -> Self {
        debug_assert_eq!(px.len(), w * h);
        Gray { w, h, px }
    }

    /// Converts RGBA to luma, compositing over white: a QR exported with a transparent
    /// background often has black RGB under alpha 0, which must read as light.
    pub fn from_rgba(w: usize, h: usize, rgba: &[u8]) -> Self {
        let px = rgba
            .chunks_exact(4)
            .map(|p| {
                let l = u32::from(luma(p[0], p[1], p[2]));
                let a = u32::from(p[3]);
                ((l * a + 255 * (255 - a) + 127) / 255) as u8
            })
            .collect();
        Gray::new(w, h, px)
    }

    /// Converts RGB to luma.
    pub fn from_rgb(w: usize, h: usize, rgb: &[u8]) -> Self {
        let px = rgb
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect();
        Gray::new(w, h, px)
    }

    /// Copies the rectangle `[x0, x1) × [y0, y1)` (clamped to the frame) and scales it by
    /// `scale` with bilinear interpolation (`scale` 1 copies).
    pub fn crop_scaled(&self, x0: usize, y0: usize, x1: usize, y1: usize, scale: usize) -> Gray {
        let x1 = x1.min(self.w);
        let y1 = y1.min(self.h);
        let x0 = x0.min(x1);
        let y0 = y0.min(y1);
        let (cw, ch) = (x1 - x0, y1 - y0);
        let scale = scale.max(1);
        if scale == 1 || cw == 0 || ch == 0 {
            let mut px = Vec::with_capacity(cw * ch);
            for y in y0..y1 {
                px.extend_from_slice(&self.px[y * self.w + x0..y * self.w + x1]);
            }
            return Gray::new(cw, ch, px);
        }
        let (ow, oh) = (cw * scale, ch * scale);
        // Source coordinate of each output column, in 8-bit fixed point, centre-aligned.
        let map = |o: usize, n: usize| -> (usize, usize, u32) {
            let s = ((2 * o + 1) * 256 / (2 * scale)).saturating_sub(128);
            let i = (s >> 8).min(n - 1);
            let j = (i + 1).min(n - 1);
            (i, j, (s & 255) as u32)
        };
        let cols: Vec<_> = (0..ow).map(|o| map(o, cw)).collect();
        let mut px = vec![0u8; ow * oh];
        for oy in 0..oh {
            let (i, j, fy) = map(oy, ch);
            let r0 = &self.px[(y0 + i) * self.w + x0..(y0 + i) * self.w + x1];
            let r1 = &self.px[(y0 + j) * self.w + x0..(y0 + j) * self.w + x1];
            let out = &mut px[oy * ow..(oy + 1) * ow];
            for (o, &(a, b, fx)) in out.iter_mut().zip(&cols) {
                let top = u32::from(r0[a]) * (256 - fx) + u32::from(r0[b]) * fx;
                let bot = u32::from(r1[a]) * (256 - fx) + u32::from(r1[b]) * fx;
                *o = ((top * (256 - fy) + bot * fy + (1 << 15)) >> 16) as u8;
            }
        }
        Gray::new(ow, oh, px)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparent_pixels_are_white() {
        let g = Gray::from_rgba(2, 1, &[0, 0, 0, 0, 0, 0, 0, 255]);
        assert_eq!(g.px, vec![255, 0]);
    }

    #[test]
    fn crop_scaled_keeps_flat_regions_and_size() {
        let g = Gray::new(
            4,
            4,
            (0..16).map(|i| if i % 4 < 2 { 0 } else { 200 }).collect(),
        );
        let c = g.crop_scaled(1, 1, 3, 3, 3);
        assert_eq!((c.w, c.h), (6, 6));
        assert_eq!(c.px[0], 0);
        assert_eq!(c.px[35], 200);
        let same = g.crop_scaled(0, 0, 4, 4, 1);
        assert_eq!(same.px, g.px);
    }
}
