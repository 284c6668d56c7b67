import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatAge,
  formatClock,
  formatDateTime,
  formatDuration,
  formatHeading,
  formatLatLon,
  formatPercent,
  formatSpeed,
  trackIdentity,
  trackLabel,
  volumeBand,
} from '../src/format';

describe('times', () => {
  it('formats UTC date-times and clocks', () => {
    expect(formatDateTime(1795903201.25)).toBe('2026-11-28 22:00:01Z');
    expect(formatClock(1795903201.25)).toBe('22:00:01');
    expect(formatDateTime(0)).toBe('1970-01-01 00:00:00Z');
    expect(formatDateTime(null)).toBe('—');
    expect(formatClock(NaN)).toBe('—');
  });

  it('formats durations compactly', () => {
    expect(formatDuration(0.42)).toBe('0.4 s');
    expect(formatDuration(12.4)).toBe('12 s');
    expect(formatDuration(59.6)).toBe('60 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(-3)).toBe('−3.0 s');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Infinity)).toBe('—');
  });

  it('formats ages against a given now', () => {
    expect(formatAge(100, 100.5)).toBe('just now');
    expect(formatAge(100, 112)).toBe('12 s ago');
    expect(formatAge(null, 100)).toBe('never');
  });
});

describe('motion', () => {
  it('formats speeds', () => {
    expect(formatSpeed(1.44)).toBe('1.4 m/s');
    expect(formatSpeed(12.6)).toBe('13 m/s');
    expect(formatSpeed(undefined)).toBe('—');
  });

  it('formats headings with a compass point, wrapping', () => {
    expect(formatHeading(0)).toBe('000° N');
    expect(formatHeading(44.6)).toBe('045° NE');
    expect(formatHeading(359.7)).toBe('000° N');
    expect(formatHeading(-90)).toBe('270° W');
    expect(formatHeading(200)).toBe('200° S');
  });

  it('formats positions and percentages', () => {
    expect(formatLatLon(52.0982, -1.0001)).toBe('52.09820° N 1.00010° W');
    expect(formatLatLon(-33.5, 151.25)).toBe('33.50000° S 151.25000° E');
    expect(formatPercent(0.814)).toBe('81 %');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('labels', () => {
  it('labels ground tracks by id and class, aircraft by callsign and altitude', () => {
    expect(trackLabel({ id: 17, class: 'person', exercise: false })).toBe('17 person');
    expect(trackLabel({ id: 17, class: 'person', exercise: true })).toBe('EX 17 person');
    expect(
      trackLabel({ id: 3, class: 'aircraft', callsign: 'BAW12 ', icao: '4CA123', air: true, up: 950.4, exercise: false }),
    ).toBe('BAW12 aircraft 950 m');
    expect(trackLabel({ id: 3, class: 'aircraft', callsign: '  ', icao: '4CA123', exercise: false })).toBe('4CA123 aircraft');
    expect(trackLabel({ id: 3, class: 'aircraft', callsign: null, icao: '4CA123', air: true, up: 120.6, exercise: false })).toBe(
      '4CA123 aircraft 121 m',
    );
    // A non-cooperative flyer: its id, class and height.
    expect(trackLabel({ id: 8, class: 'drone', callsign: null, icao: null, air: true, up: 59.5, exercise: false })).toBe(
      '8 drone 60 m',
    );
    // A ground track's up (null or not) is not shown.
    expect(trackLabel({ id: 9, class: 'vehicle', air: false, up: 3, exercise: false })).toBe('9 vehicle');
  });

  it('names the identity of air tracks', () => {
    expect(trackIdentity({ air: true, callsign: 'RYR1AB', icao: '4CA2D6' })).toBe('RYR1AB · ICAO 4CA2D6');
    expect(trackIdentity({ air: true, callsign: null, icao: '4CA2D6' })).toBe('ICAO 4CA2D6');
    expect(trackIdentity({ air: true, callsign: null, icao: null })).toBe('no identity (non-cooperative)');
    expect(trackIdentity({ air: false, callsign: null, icao: null })).toBe('');
  });

  it('describes the altitude band of airspace volumes', () => {
    expect(volumeBand({ floor_m: 0, ceiling_m: 150 })).toBe('0–150 m');
    expect(volumeBand({ floor_m: 300.4 })).toBe('above 300 m');
    expect(volumeBand({ ceiling_m: 120 })).toBe('below 120 m');
    expect(volumeBand({ zone_kind: 'buffer' })).toBeNull();
    expect(volumeBand(undefined)).toBeNull();
  });

  it('escapes HTML', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});
