const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every PEM certificate block of a text, in order. */
export function splitPemCertificates(text: string): string[] {
  return text.match(PEM_CERTIFICATE) ?? [];
}
