import { describe, expect, it } from 'vitest'
import { allIcons, colourFor, iconFor, initialOf, isLight } from '../src/lib/icons'

describe('iconFor', () => {
  it('finds brands by issuer, alias, first word or chosen slug', () => {
    expect(iconFor('GitHub')?.slug).toBe('github')
    expect(iconFor('Twitter')?.slug).toBe('x')
    expect(iconFor('Google Workspace')?.slug).toBe('google')
    expect(iconFor('My Bank', 'steam')?.slug).toBe('steam')
  })

  it('has no icon for unknown issuers or unknown chosen slugs', () => {
    expect(iconFor('Acme Credit Union')).toBeNull()
    expect(iconFor('', null)).toBeNull()
    expect(iconFor('GitHub', 'no-such-icon')).toBeNull()
  })

  it('bundles path data for every icon', () => {
    expect(allIcons.length).toBeGreaterThan(50)
    for (const i of allIcons) expect(i.path).toMatch(/^[Mm]/)
  })
})

describe('initials', () => {
  it('takes the first letter or digit', () => {
    expect(initialOf('acme')).toBe('A')
    expect(initialOf('  #1 bank')).toBe('1')
    expect(initialOf('ärzte')).toBe('Ä')
    expect(initialOf('!!!')).toBe('?')
  })

  it('gives the same colour to the same issuer', () => {
    expect(colourFor('Acme')).toBe(colourFor('acme'))
    expect(colourFor('Acme')).toMatch(/^#[0-9a-f]{6}$/)
  })

  it('detects light brand colours', () => {
    expect(isLight('FFFFFF')).toBe(true)
    expect(isLight('181717')).toBe(false)
  })
})
