// Issuer icons: offline brand marks from the `simple-icons` package (CC0 path data; only the
// icons named below are bundled, tree-shaken by their named imports), else a coloured initial.
// Rendered as <svg><path d=…> by components/AccountIcon.svelte: never as HTML.

import {
  si1password,
  siApple,
  siAtlassian,
  siAuth0,
  siBattledotnet,
  siBinance,
  siBitbucket,
  siBitwarden,
  siBluesky,
  siCloudflare,
  siCodeberg,
  siCoinbase,
  siDigitalocean,
  siDiscord,
  siDocker,
  siDropbox,
  siEa,
  siEbay,
  siEpicgames,
  siEvernote,
  siFacebook,
  siFigma,
  siFirefox,
  siGandi,
  siGitea,
  siGithub,
  siGitlab,
  siGodaddy,
  siGoogle,
  siHetzner,
  siHubspot,
  siInstagram,
  siJetbrains,
  siKeepassxc,
  siKickstarter,
  siKucoin,
  siMastodon,
  siMozilla,
  siNamecheap,
  siNetlify,
  siNextcloud,
  siNotion,
  siNpm,
  siNuget,
  siOkta,
  siOvh,
  siPackagist,
  siPatreon,
  siPaypal,
  siPinterest,
  siPlaystation,
  siPorkbun,
  siProton,
  siPypi,
  siReddit,
  siRevolut,
  siRoblox,
  siRubygems,
  siSentry,
  siShopify,
  siSignal,
  siSnapchat,
  siSteam,
  siStripe,
  siTailscale,
  siTelegram,
  siTiktok,
  siTrello,
  siTumblr,
  siTwitch,
  siUbisoft,
  siVercel,
  siWhatsapp,
  siWise,
  siWordpress,
  siX,
  siZoho,
} from 'simple-icons'

/** The parts of a simple-icons entry we draw. */
export interface BrandIcon {
  slug: string
  title: string
  path: string
  /** Brand colour, "RRGGBB" without "#". */
  hex: string
}

const ICONS: BrandIcon[] = [
  si1password, siApple, siAtlassian, siAuth0, siBattledotnet, siBinance, siBitbucket, siBitwarden,
  siBluesky, siCloudflare, siCodeberg, siCoinbase, siDigitalocean, siDiscord, siDocker, siDropbox,
  siEa, siEbay, siEpicgames, siEvernote, siFacebook, siFigma, siFirefox, siGandi, siGitea, siGithub,
  siGitlab, siGodaddy, siGoogle, siHetzner, siHubspot, siInstagram, siJetbrains, siKeepassxc,
  siKickstarter, siKucoin, siMastodon, siMozilla, siNamecheap, siNetlify, siNextcloud, siNotion,
  siNpm, siNuget, siOkta, siOvh, siPackagist, siPatreon, siPaypal, siPinterest, siPlaystation,
  siPorkbun, siProton, siPypi, siReddit, siRevolut, siRoblox, siRubygems, siSentry, siShopify,
  siSignal, siSnapchat, siSteam, siStripe, siTailscale, siTelegram, siTiktok, siTrello, siTumblr,
  siTwitch, siUbisoft, siVercel, siWhatsapp, siWise, siWordpress, siX, siZoho,
].map(({ slug, title, path, hex }) => ({ slug, title, path, hex }))

const BY_SLUG = new Map(ICONS.map((i) => [i.slug, i]))

/** Issuer spellings that differ from the slug (normalised: lower case, letters and digits only). */
const ALIASES: Record<string, string> = {
  twitter: 'x',
  protonmail: 'proton',
  protonme: 'proton',
  gmail: 'google',
  youtube: 'google',
  battlenet: 'battledotnet',
  blizzard: 'battledotnet',
  electronicarts: 'ea',
  epic: 'epicgames',
  steamcommunity: 'steam',
  steampowered: 'steam',
  pypiorg: 'pypi',
  npmjs: 'npm',
  rubygemsorg: 'rubygems',
  nugetorg: 'nuget',
  jira: 'atlassian',
  confluence: 'atlassian',
  gitlabcom: 'gitlab',
  githubcom: 'github',
  ubisoftconnect: 'ubisoft',
  psn: 'playstation',
  sonyplaystation: 'playstation',
  keepass: 'keepassxc',
  wordpresscom: 'wordpress',
  ovhcloud: 'ovh',
}

/** Every bundled icon, sorted by title (for the icon picker). */
export const allIcons: readonly BrandIcon[] = [...ICONS].sort((a, b) => a.title.localeCompare(b.title))

/** Lower case, letters and digits only. */
export function normalise(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/**
 * The brand icon for an account: its chosen `icon` slug first, else its issuer, matched whole,
 * through an alias, or by its first word ("Google Workspace" → google).
 */
export function iconFor(issuer: string, chosen: string | null = null): BrandIcon | null {
  if (chosen !== null) return BY_SLUG.get(chosen) ?? null
  const candidates = [normalise(issuer), normalise(issuer.split(/[\s.:(]/)[0] ?? '')]
  for (const key of candidates) {
    if (key === '') continue
    const hit = BY_SLUG.get(key) ?? BY_SLUG.get(ALIASES[key] ?? '')
    if (hit) return hit
  }
  return null
}

/** Background colours for initials: mid-tones that keep white text readable (WCAG AA). */
const PALETTE = ['#3465a4', '#2e7d32', '#ad5b00', '#8e44ad', '#c0392b', '#00796b', '#5d4037', '#c2185b', '#455a64', '#3949ab']

/** The first letter or digit of a label, upper case ("?" when there is none). */
export function initialOf(label: string): string {
  const m = /[\p{L}\p{N}]/u.exec(label)
  return m ? m[0].toLocaleUpperCase() : '?'
}

/** A stable colour for a label (same issuer, same colour, across runs). */
export function colourFor(label: string): string {
  let h = 0
  for (const ch of normalise(label)) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return PALETTE[h % PALETTE.length]
}

/** Whether a brand colour is light enough to need a dark glyph on it. */
export function isLight(hex: string): boolean {
  const n = Number.parseInt(hex, 16)
  if (Number.isNaN(n)) return false
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255]
  return 0.299 * r + 0.587 * g + 0.114 * b > 186
}
