/**
 * Short-lived access tokens, `POST /v1/auth/grant`, at the same path in the client tree as Deepgram's v5 SDK:
 * `client.auth.v1.tokens.grant`. A page holds the token instead of the key: build a client with
 * `{ accessToken }` from it and build a new one before `expires_in` runs out.
 */
import type { GrantTokenRequest, GrantTokenResponse } from "@earshot/protocol";
import type { APIPromise } from "../core/api-promise.js";
import type { RequestOptions, Transport } from "../core/request.js";

export class Tokens {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Trade this client's API key for an access token: `ttl_seconds` from 1 to 3600, 30 by default. The token
   * works on the speech APIs (REST and WebSocket) only, never on `manage`, and a token cannot grant another. A
   * server without token support answers 404 (`NotFoundError`): keep using the key there.
   *
   * @example
   * const { access_token, expires_in } = await client.auth.v1.tokens.grant({ ttl_seconds: 600 });
   * const browserClient = new EarshotClient({ baseUrl, accessToken: access_token });
   */
  grant(params: GrantTokenRequest = {}, requestOptions?: RequestOptions): APIPromise<GrantTokenResponse> {
    return this.#transport.json(
      {
        method: "POST",
        path: "/v1/auth/grant",
        body: JSON.stringify(params),
        headers: { "content-type": "application/json" },
      },
      requestOptions,
    );
  }
}

export class AuthV1 {
  readonly tokens: Tokens;

  constructor(transport: Transport) {
    this.tokens = new Tokens(transport);
  }
}

export class Auth {
  readonly v1: AuthV1;

  constructor(transport: Transport) {
    this.v1 = new AuthV1(transport);
  }
}
