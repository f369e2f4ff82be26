// Byte-exact text handling shared by both threads: services limit sizes in UTF-8 bytes, and a
// cut must never split a character. Plain: no imports, so worker files may load it.

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The visible end of a shortened value, with the size it had. */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated by logferry: ${originalBytes} bytes]`;
}

/** `text` cut to `maxBytes` with the marker, or as it is when it fits. */
export function capUtf8(text: string, maxBytes: number): string {
  const bytes = utf8Bytes(text);
  if (bytes <= maxBytes) return text;
  const tail = truncationMarker(bytes);
  return cutUtf8(text, maxBytes - utf8Bytes(tail)) + tail;
}
