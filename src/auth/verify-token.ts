// Bearer token verification. The header's `alg` picks the key, and each key accepts only its own algorithms:
// HS256 only with JWT_SECRET, RS256/ES256 only with the provider's JWKS. So neither `none` nor the HS/RS
// confusion attack (an RS public key used as an HMAC secret) can pass.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Config } from '../config.js';
import { AppError, unavailable } from '../domain/errors.js';
import { claimsFromPayload, type KeySource, type TokenClaims } from './claims.js';

export const SECRET_ALGORITHMS: readonly string[] = ['HS256'];
export const JWKS_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];
/** Tolerated difference between our clock and the issuer's, for exp and nbf. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Far above any real JWT; bounds the work done on hostile input before any check. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export type TokenVerifier = (token: string) => Promise<TokenClaims>;

/** Why a token was refused, in `details.reason` of the UNAUTHENTICATED error. */
export type TokenRejection =
  | 'malformed'
  | 'algorithm_not_accepted'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_signature'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'missing_claim'
  | 'unknown_key';

export function tokenRejected(reason: TokenRejection, message: string, cause?: unknown): AppError {
  return new AppError('UNAUTHENTICATED', message, { details: { reason }, cause });
}

type VerifyKey = Parameters<typeof jwtVerify>[1];

/** Builds the verifier once per process: the JWKS is fetched lazily, cached and refreshed by jose. */
export function createTokenVerifier(auth: Config['auth']): TokenVerifier {
  const secret = auth.secret ? new TextEncoder().encode(auth.secret) : undefined;
  const jwks = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
  if (!secret && !jwks) throw new Error('A token verifier needs JWT_SECRET or JWT_JWKS_URL');

  const common: JWTVerifyOptions = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  };

  return async (token: string): Promise<TokenClaims> => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw tokenRejected('malformed', 'Token is malformed');
    }
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (e) {
      throw tokenRejected('malformed', 'Token is malformed', e);
    }
    let source: KeySource;
    let key: VerifyKey;
    let algorithms: readonly string[];
    if (alg !== undefined && SECRET_ALGORITHMS.includes(alg) && secret) {
      [source, key, algorithms] = ['secret', secret, SECRET_ALGORITHMS];
    } else if (alg !== undefined && JWKS_ALGORITHMS.includes(alg) && jwks) {
      [source, key, algorithms] = ['jwks', jwks, JWKS_ALGORITHMS];
    } else {
      throw tokenRejected('algorithm_not_accepted', `Token algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, { ...common, algorithms: [...algorithms] }));
    } catch (e) {
      throw mapVerifyError(e, source);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw tokenRejected('missing_claim', 'Token has no subject (sub)');
    return claimsFromPayload(payload, source);
  };
}

function mapVerifyError(e: unknown, source: KeySource): AppError {
  if (e instanceof errors.JWTExpired) return tokenRejected('expired', 'Token has expired', e);
  if (e instanceof errors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'aud':
        return tokenRejected('wrong_audience', 'Token audience does not match this API', e);
      case 'iss':
        return tokenRejected('wrong_issuer', 'Token issuer is not trusted', e);
      case 'nbf':
        return tokenRejected('not_yet_valid', 'Token is not valid yet (nbf)', e);
      default:
        return e.reason === 'missing'
          ? tokenRejected('missing_claim', `Token lacks the required claim "${e.claim}"`, e)
          : tokenRejected('malformed', `Token claim "${e.claim}" is invalid`, e);
    }
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return tokenRejected('bad_signature', 'Token signature is invalid', e);
  if (e instanceof errors.JOSEAlgNotAllowed) return tokenRejected('algorithm_not_accepted', 'Token algorithm is not accepted', e);
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return tokenRejected('unknown_key', "No key of the identity provider's key set matches the token", e);
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid || e instanceof errors.JOSENotSupported) {
    return tokenRejected('malformed', 'Token is malformed', e);
  }
  // What remains is the key set itself being unreachable or broken: not the caller's fault, and worth a retry.
  if (source === 'jwks') return unavailable("The identity provider's signing keys could not be fetched", e);
  return tokenRejected('malformed', 'Token could not be verified', e);
}
