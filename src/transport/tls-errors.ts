// Node's TLS error codes, said in words: which side of the certificate exchange failed.

export function describeTlsError(error: NodeJS.ErrnoException): string | undefined {
  const code = error.code ?? '';
  if (/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/.test(code)) {
    return `the engine's certificate is not signed by the given CA (${code})`;
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/.test(code)) return `the engine's certificate is not for this host (${code})`;
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(code)) return `the engine's certificate is not valid now (${code})`;
  if (/CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA/.test(code)) {
    return `the engine refused our client certificate: it requires one signed by its CA (${code})`;
  }
  return undefined;
}

