import { describe, expect, it } from 'vitest';
import { cpuMillicores, millicoreText, normalisedCpu, roundLimitUp } from '../../../lib/core/cpu-quantity.js';

describe('cpuMillicores', () => {
  it.each([
    ['500m', 500],
    ['0.5', 500],
    ['2', 2000],
    ['1.5', 1500],
    ['0.1', 100],
    ['.25', 250],
    ['1.', 1000],
    ['+1', 1000],
    ['100u', 1],
    ['1n', 1],
    ['0.0005', 1],
    ['250000u', 250],
    ['1k', 1_000_000],
    ['1e3', 1_000_000],
    ['2e-3', 2],
    ['5E-1', 500],
    ['1Ki', 1_024_000],
    ['0', 0],
    ['0m', 0],
    [' 750m ', 750],
    [2, 2000],
    [0.25, 250],
  ])('reads %j as %i millicores', (quantity, expected) => {
    expect(cpuMillicores(quantity)).toBe(expected);
  });

  it.each([
    ['-1'],
    ['-500m'],
    ['1e3m'],
    [''],
    ['m'],
    ['1.2.3'],
    ['500 m'],
    ['1x'],
    ['1e999'],
    ['one'],
    ['0x10'],
    [-1],
    [Number.NaN],
    ['9'.repeat(40)],
  ])('refuses %j', (quantity) => {
    expect(cpuMillicores(quantity)).toBeUndefined();
  });
});

describe('normalised text', () => {
  it('spells every quantity in millicores and leaves unknowns out', () => {
    expect(['2', '1.5', '0.5', '500m', '100u'].map(normalisedCpu)).toEqual(['2000m', '1500m', '500m', '500m', '1m']);
    expect(normalisedCpu(undefined)).toBeUndefined();
    expect(normalisedCpu('nonsense')).toBeUndefined();
    expect(millicoreText(750)).toBe('750m');
  });
});

describe('roundLimitUp', () => {
  it.each([
    [1.5, 10],
    [15, 20],
    [90, 90],
    [95, 100],
    [99.5, 100],
    [100, 100],
    [105, 150],
    [150, 150],
    [450, 450],
    [750, 750],
    [760, 800],
    [999, 1000],
    [1000, 1000],
    [1500, 1500],
    [2250, 2300],
    [3000, 3000],
  ])('rounds %f up to %i', (raw, expected) => {
    expect(roundLimitUp(raw)).toBe(expected);
  });
});
