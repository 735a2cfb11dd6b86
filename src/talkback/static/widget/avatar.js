/**
 * Avatars drawn locally from `author.avatar`, a 12-hex-digit keyed hash of the email (or
 * address): no third party learns who reads or writes here, and nothing of the email shows.
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A mirrored 5×5 identicon: 3 hex digits pick the hue, 4 more the 15 cells of the left
 * half and middle. No seed (a deleted comment): an empty disc.
 */
export function avatar(seed) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '-1 -1 7 7');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'tb-avatar');
  if (!/^[0-9a-f]{12}$/.test(seed || '')) return svg;
  svg.style.setProperty('--tb-hue', String(parseInt(seed.slice(0, 3), 16) % 360));
  const bits = parseInt(seed.slice(3, 7), 16);
  let d = '';
  for (let cell = 0; cell < 15; cell++) {
    if (!((bits >> cell) & 1)) continue;
    const x = cell % 3;
    const y = Math.floor(cell / 3);
    d += `M${x} ${y}h1v1h-1z`;
    if (x < 2) d += `M${4 - x} ${y}h1v1h-1z`;
  }
  const shape = document.createElementNS(SVG, 'path');
  shape.setAttribute('d', d);
  svg.append(shape);
  return svg;
}
