/**
 * Evaluates the OIDC conditions of a role's trust policy against a token's claims, as STS
 * does for AssumeRoleWithWebIdentity. iam-simulate does not evaluate web-identity claims, so
 * the CI roles' trusts are checked with this matcher (tested on its own in
 * __tests__/pipeline-oidc.test.ts). Only the operators the trusts use are known; any other
 * throws instead of guessing.
 */

/** A web-identity token as STS reads it: the issuer host and its claims. */
export interface OidcToken {
  /** The issuer host, e.g. token.actions.githubusercontent.com. */
  readonly host: string;
  readonly claims: Readonly<Record<string, string>>;
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);

function claimOf(token: OidcToken, key: string): string | undefined {
  const prefix = `${token.host}:`;
  if (!key.startsWith(prefix)) return undefined;
  return token.claims[key.slice(prefix.length)];
}

function conditionsHold(conditions: Record<string, Record<string, string | string[]>> | undefined, token: OidcToken): boolean {
  for (const [op, keys] of Object.entries(conditions ?? {})) {
    for (const [key, raw] of Object.entries(keys)) {
      const values = Array.isArray(raw) ? raw : [raw];
      const claim = claimOf(token, key);
      if (claim === undefined) return false; // a condition on a claim the token lacks, or on another issuer
      switch (op) {
        case "StringEquals":
          if (!values.includes(claim)) return false;
          break;
        case "StringLike":
          if (!values.some((v) => glob(v).test(claim))) return false;
          break;
        default:
          throw new Error(`condition operator ${op} is not supported by this matcher`);
      }
    }
  }
  return true;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as string]);

/**
 * Whether the trust policy lets a token of `token.host` assume the role through the OIDC
 * provider `providerArn`: an Allow statement for AssumeRoleWithWebIdentity naming that
 * provider whose every condition holds, and no such Deny.
 */
export function oidcAllows(trust: any, providerArn: string, token: OidcToken): boolean {
  let allowed = false;
  for (const s of list(trust.Statement) as any[]) {
    const actions = list(s.Action);
    if (!actions.includes("sts:AssumeRoleWithWebIdentity")) continue;
    if (!list(s.Principal?.Federated).includes(providerArn)) continue;
    if (!providerArn.endsWith(`:oidc-provider/${token.host}`)) continue;
    if (!conditionsHold(s.Condition, token)) continue;
    if (s.Effect === "Deny") return false;
    allowed = true;
  }
  return allowed;
}
