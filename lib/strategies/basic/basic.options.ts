/** Options of the HTTP Basic strategy (`basic`, RFC 7617); `basic: {}` enables it with the defaults. */
export interface BasicStrategyOptions {
  /**
   * Longest `Authorization: Basic` credentials accepted, in base64 characters; longer ones are
   * refused (401) before decoding. Default 4096 (room for a 1024-byte password and a long user name).
   */
  readonly maxCredentialsLength?: number;
  /** Description of the scheme in the OpenAPI document. */
  readonly description?: string;
}
