/**
 * Splits user input (a large paste) into pieces main accepts, without cutting
 * a UTF-16 surrogate pair in half (a lone half would reach the shell as U+FFFD).
 */

/** Split `data` into pieces of at most `max` UTF-16 units (max >= 2). */
export function splitInput(data: string, max: number): string[] {
  if (data.length <= max) return [data];
  const pieces: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + max, data.length);
    if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1))) end -= 1;
    pieces.push(data.slice(start, end));
    start = end;
  }
  return pieces;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
