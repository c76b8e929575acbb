// The HTTP token grammar, which methods and field names follow (RFC 9110 §5.6.2): the request
// encoder refuses what does not match it, the response parser too.

// token = 1*tchar
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** isToken: true when `text` is an HTTP token (a method, a field name). */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}
