//! Image file bytes → [`Gray`], with the size checks done before any pixel is decoded.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

use super::{Gray, Limits, QrError};

/// The formats users paste or save screenshots in; anything else is refused up front.
const FORMATS: &[ImageFormat] = &[
    ImageFormat::Png,
    ImageFormat::Jpeg,
    ImageFormat::WebP,
    ImageFormat::Gif,
    ImageFormat::Bmp,
];

/// Decodes an image file (the first frame of an animation) to grayscale.
pub(crate) fn load(bytes: &[u8], limits: &Limits) -> Result<Gray, QrError> {
    if bytes.is_empty() {
        return Err(QrError::Format(
            "empty input, expected an image file".into(),
        ));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::Format(e.to_string()))?;
    match reader.format() {
        Some(f) if FORMATS.contains(&f) => {}
        Some(f) => {
            return Err(QrError::Format(format!(
                "unsupported format {f:?}, expected PNG, JPEG, WebP, GIF or BMP"
            )))
        }
        None => {
            return Err(QrError::Format(
                "unknown format, expected PNG, JPEG, WebP, GIF or BMP".into(),
            ))
        }
    }
    // Read the header alone first, so the dimension and memory checks below run before the
    // decoder allocates anything for pixels.
    let mut decoder = reader.into_decoder().map_err(map_err)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 || width > limits.max_dim || height > limits.max_dim {
        return Err(QrError::Dimensions {
            width,
            height,
            max: limits.max_dim,
        });
    }
    let need = decoder.total_bytes();
    if need > limits.max_alloc {
        return Err(QrError::TooLarge {
            bytes: need,
            max: limits.max_alloc,
        });
    }
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_dim);
    image_limits.max_image_height = Some(limits.max_dim);
    image_limits.max_alloc = Some(limits.max_alloc);
    decoder.set_limits(image_limits).map_err(map_err)?;
    let image = DynamicImage::from_decoder(decoder).map_err(map_err)?;
    Ok(to_gray(image))
}

/// Converts to luma, compositing transparency over white (see [`Gray::from_rgba`]).
fn to_gray(image: DynamicImage) -> Gray {
    let (w, h) = (image.width() as usize, image.height() as usize);
    match image {
        DynamicImage::ImageLuma8(b) => Gray::new(w, h, b.into_raw()),
        DynamicImage::ImageRgb8(b) => Gray::from_rgb(w, h, b.as_raw()),
        DynamicImage::ImageRgba8(b) => Gray::from_rgba(w, h, b.as_raw()),
        other if other.color().has_alpha() => Gray::from_rgba(w, h, other.to_rgba8().as_raw()),
        other => Gray::new(w, h, other.to_luma8().into_raw()),
    }
}

fn map_err(e: ImageError) -> QrError {
    match e {
        ImageError::Limits(l) => QrError::Format(format!("image exceeds limits: {l}")),
        other => QrError::Format(other.to_string()),
    }
}
