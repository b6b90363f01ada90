// Base64 of UTF-8 text, for `data:` URLs (the QR code SVG from `reveal_secret`, shown as an
// <img>, which the CSP allows through img-src data:; never inserted as markup).

/** Base64 of `text`'s UTF-8 bytes. */
export function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/** A `data:image/svg+xml;base64,…` URL for an SVG document. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${utf8ToBase64(svg)}`
}
