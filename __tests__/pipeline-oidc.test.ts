/**
 * The CI roles' OIDC trusts (`pipeline`), evaluated for real token shapes with a matcher of
 * our own (iam-simulate ignores web-identity claims); the matcher is tested first, on its own.
 */
import { resourcesOf, synthInput } from "./helpers/synth";
import { oidcAllows, OidcToken } from "./helpers/oidc-claims";
import { referenceInput } from "./helpers/topology";

const GH = "token.actions.githubusercontent.com";
const GH_ARN = `arn:aws:iam::111111111111:oidc-provider/${GH}`;
const gh = (claims: Record<string, string>): OidcToken => ({ host: GH, claims: { aud: "sts.amazonaws.com", ...claims } });

describe("the OIDC claim matcher, on its own", () => {
  const trust = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: GH_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GH}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${GH}:sub`]: ["repo:o/r:ref:refs/heads/*"] } },
      },
    ],
  };

  test("every condition must hold: audience and subject", () => {
    expect(oidcAllows(trust, GH_ARN, gh({ sub: "repo:o/r:ref:refs/heads/main" }))).toBe(true);
    expect(oidcAllows(trust, GH_ARN, gh({ sub: "repo:o/r:ref:refs/tags/v1" }))).toBe(false);
    expect(oidcAllows(trust, GH_ARN, { host: GH, claims: { aud: "other", sub: "repo:o/r:ref:refs/heads/main" } })).toBe(false);
  });

  test("StringLike globs are anchored and treat dots literally", () => {
    expect(oidcAllows(trust, GH_ARN, gh({ sub: "xrepo:o/r:ref:refs/heads/main" }))).toBe(false);
    const dotted = { ...trust, Statement: [{ ...trust.Statement[0], Condition: { StringLike: { [`${GH}:sub`]: "a.b" } } }] };
    expect(oidcAllows(dotted, GH_ARN, gh({ sub: "a.b" }))).toBe(true);
    expect(oidcAllows(dotted, GH_ARN, gh({ sub: "aXb" }))).toBe(false);
  });

  test("a missing claim, another provider or another action never matches", () => {
    expect(oidcAllows(trust, GH_ARN, { host: GH, claims: { sub: "repo:o/r:ref:refs/heads/main" } })).toBe(false);
    expect(oidcAllows(trust, "arn:aws:iam::111111111111:oidc-provider/app.terraform.io", gh({ sub: "repo:o/r:ref:refs/heads/main" }))).toBe(false);
    const assumeRole = { Statement: [{ ...trust.Statement[0], Action: "sts:AssumeRole" }] };
    expect(oidcAllows(assumeRole, GH_ARN, gh({ sub: "repo:o/r:ref:refs/heads/main" }))).toBe(false);
  });

  test("a matching Deny wins; an unknown operator throws instead of guessing", () => {
    const denied = { Statement: [...trust.Statement, { ...trust.Statement[0], Effect: "Deny", Condition: { StringEquals: { [`${GH}:sub`]: "repo:o/r:ref:refs/heads/main" } } }] };
    expect(oidcAllows(denied, GH_ARN, gh({ sub: "repo:o/r:ref:refs/heads/main" }))).toBe(false);
    expect(oidcAllows(denied, GH_ARN, gh({ sub: "repo:o/r:ref:refs/heads/dev" }))).toBe(true);
    const odd = { Statement: [{ ...trust.Statement[0], Condition: { ForAnyValueStringLike: { [`${GH}:sub`]: "*" } } }] };
    expect(() => oidcAllows(odd, GH_ARN, gh({ sub: "x" }))).toThrow(/not supported/);
  });
});

/** The trust documents of the hub's CI roles. */
function ciTrusts(input: any): { plan: any; apply: any } {
  const out = synthInput(input);
  const roles = Object.values(resourcesOf(out, "management", "aws_iam_role"));
  const trustOf = (name: string) => JSON.parse(roles.find((r: any) => r.name === name)!.assume_role_policy);
  return { plan: trustOf(`${input.project}-ci-plan`), apply: trustOf(`${input.project}-ci-apply`) };
}

describe("GitHub Actions tokens against the CI roles", () => {
  const input = referenceInput();
  input.accounts.management.deployRole = "mlshare-deploy";
  input.pipeline = { github: { repository: "acme/ml-platform", environment: "production" } };
  const { plan, apply } = ciTrusts(input);
  const TOKENS: Record<string, OidcToken> = {
    "a pull request": gh({ sub: "repo:acme/ml-platform:pull_request", ref: "refs/pull/7/merge" }),
    "the apply environment": gh({ sub: "repo:acme/ml-platform:environment:production", ref: "refs/heads/main" }),
    "main outside the environment": gh({ sub: "repo:acme/ml-platform:ref:refs/heads/main", ref: "refs/heads/main" }),
    "another repository's pull request": gh({ sub: "repo:acme/other:pull_request" }),
    "another repository's environment": gh({ sub: "repo:acme/other:environment:production" }),
    "another audience": { host: GH, claims: { aud: "https://github.com/acme", sub: "repo:acme/ml-platform:environment:production" } },
  };
  const expected: Record<string, { plan: boolean; apply: boolean }> = {
    "a pull request": { plan: true, apply: false },
    "the apply environment": { plan: false, apply: true },
    "main outside the environment": { plan: false, apply: false },
    "another repository's pull request": { plan: false, apply: false },
    "another repository's environment": { plan: false, apply: false },
    "another audience": { plan: false, apply: false },
  };
  test.each(Object.keys(TOKENS))("%s", (name) => {
    expect({ plan: oidcAllows(plan, GH_ARN, TOKENS[name]), apply: oidcAllows(apply, GH_ARN, TOKENS[name]) }).toEqual(expected[name]);
  });

  test("without an environment, only the apply ref applies", () => {
    const noEnv = referenceInput();
    noEnv.accounts.management.deployRole = "mlshare-deploy";
    noEnv.pipeline = { github: { repository: "acme/ml-platform", applyRef: "refs/heads/release" } };
    const t = ciTrusts(noEnv);
    expect(oidcAllows(t.apply, GH_ARN, gh({ sub: "repo:acme/ml-platform:ref:refs/heads/release" }))).toBe(true);
    expect(oidcAllows(t.apply, GH_ARN, gh({ sub: "repo:acme/ml-platform:ref:refs/heads/main" }))).toBe(false);
    expect(oidcAllows(t.apply, GH_ARN, gh({ sub: "repo:acme/ml-platform:pull_request" }))).toBe(false);
  });
});

describe("Terraform Cloud tokens against the CI roles", () => {
  const TFC = "app.terraform.io";
  const TFC_ARN = `arn:aws:iam::111111111111:oidc-provider/${TFC}`;
  const input = referenceInput();
  input.accounts.management.deployRole = "mlshare-deploy";
  input.state = { backend: "cloud", organization: "acme", workspacePrefix: "ml-sharing-" };
  input.pipeline = { terraformCloud: { organization: "acme" } };
  const { plan, apply } = ciTrusts(input);
  const tfc = (sub: string, aud = "aws.workload.identity"): OidcToken => ({ host: TFC, claims: { aud, sub } });

  test("plan phases of the topology's workspaces get the plan CI role only", () => {
    const sub = "organization:acme:project:Default Project:workspace:ml-sharing-data-lake:run_phase:plan";
    expect(oidcAllows(plan, TFC_ARN, tfc(sub))).toBe(true);
    expect(oidcAllows(apply, TFC_ARN, tfc(sub))).toBe(false);
  });

  test("apply phases get the apply CI role only", () => {
    const sub = "organization:acme:project:Default Project:workspace:ml-sharing-management:run_phase:apply";
    expect(oidcAllows(apply, TFC_ARN, tfc(sub))).toBe(true);
    expect(oidcAllows(plan, TFC_ARN, tfc(sub))).toBe(false);
  });

  test("another organization, another workspace or another audience gets neither", () => {
    for (const token of [
      tfc("organization:evil:project:p:workspace:ml-sharing-management:run_phase:apply"),
      tfc("organization:acme:project:p:workspace:scratch:run_phase:apply"),
      tfc("organization:acme:project:p:workspace:ml-sharing-management:run_phase:apply", "sts.amazonaws.com"),
    ]) {
      expect(oidcAllows(apply, TFC_ARN, token)).toBe(false);
      expect(oidcAllows(plan, TFC_ARN, token)).toBe(false);
    }
  });
});
