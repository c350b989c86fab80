/**
 * The policy compliance rules (KMS rotation, wildcard actions, resources, cross-account
 * trust, action names) and the helper that finds the policy documents an element carries,
 * on small hand-written stacks; then the reference topology.
 */
import { checkCompliance } from "../compliance/check";
import { RULES } from "../compliance/index";
import { homeAccountsOf, policyDocumentsOf, principalAccount } from "../compliance/policy-helpers";
import { addressOf, Element, elementsOf, Rule, StackJson, Verdict } from "../compliance/rule";
import { CrossAccountTrustCondition } from "../compliance/rules/cross-account-trust-condition";
import { IamActionsExist } from "../compliance/rules/iam-actions-exist";
import { IamAllowHasResource } from "../compliance/rules/iam-allow-has-resource";
import { IamNoWildcardActions } from "../compliance/rules/iam-no-wildcard-actions";
import { KmsKeyRotation } from "../compliance/rules/kms-key-rotation";
import { synthInput } from "./helpers/synth";
import { referenceInput } from "./helpers/topology";

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

type Config = Record<string, unknown>;
type Statement = Record<string, unknown>;

/** The account the fixture stack deploys into, and two others. */
const HOME = "333333333333";
const LAKE = "222222222222";
const PARTNER = "999999999999";
const ORG = "o-a1b2c3d4e5";

const BUCKET_ARN = "arn:aws:s3:::acme-ml-data-222222222222-us-east-1";

/** A policy document as the JSON string Terraform holds. */
const doc = (...statements: Statement[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** An identity-policy grant to read the dataset's objects. */
function allowRead(changes: Statement = {}): Statement {
  return {
    Sid: "ReadData",
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:GetObjectVersion"],
    Resource: `${BUCKET_ARN}/*`,
    ...changes,
  };
}

/** A Deny of uploads not encrypted with KMS. */
function denyPlainUploads(changes: Statement = {}): Statement {
  return {
    Sid: "DenyUploadsWithoutKms",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:PutObject",
    Resource: `${BUCKET_ARN}/*`,
    Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } },
    ...changes,
  };
}

/** A trust statement letting `principal` assume the role, with the conditions given. */
function trust(principal: unknown, condition?: Statement["Condition"]): Statement {
  return { Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) };
}

const inOrg = { StringEquals: { "aws:PrincipalOrgID": ORG } };
const fromHome = { StringEquals: { "aws:SourceAccount": HOME } };

/** The AWS provider the fixture's resources use: alias `consumer`, pinned to HOME. */
function awsProvider(changes: Config = {}): Config {
  return { alias: "consumer", region: "us-east-1", allowed_account_ids: [HOME], ...changes };
}

/** A stack holding one resource (logical id `it`) under the `consumer` provider. */
function stackWith(type: string, config: Config, provider: Config = awsProvider()): StackJson {
  return { provider: { aws: [provider] }, resource: { [type]: { it: { provider: "aws.consumer", ...config } } } };
}

/** The element a rule would see for that one resource. */
function elementOf(type: string, config: Config, provider?: Config): Element {
  const element = elementsOf("fixture", stackWith(type, config, provider)).find((e) => addressOf(e) === `fixture/${type}.it`);
  if (!element) throw new Error(`no ${type}.it`);
  return element;
}

/** The verdict of a rule on one resource. */
function verdict(rule: Rule, type: string, config: Config, provider?: Config): Verdict {
  return rule.check(elementOf(type, config, provider));
}

/** The verdict of a rule on an inline identity policy (aws_iam_role_policy) with these statements. */
const onIdentityPolicy = (rule: Rule, ...statements: Statement[]) =>
  verdict(rule, "aws_iam_role_policy", { role: "acme-ml-sm-alice", policy: doc(...statements) });

/** The verdict of a rule on a role whose trust policy has these statements. */
const onRole = (rule: Rule, ...statements: Statement[]) =>
  verdict(rule, "aws_iam_role", { name: "acme-ml-reader", assume_role_policy: doc(...statements) });

/** The only provider block of a fixture stack, for rules that do not apply to providers. */
const providerElement = (): Element => elementsOf("fixture", { provider: { aws: [awsProvider()] } })[0];

const POLICY_RULES = [IamNoWildcardActions, IamAllowHasResource, CrossAccountTrustCondition, IamActionsExist];
const NEW_RULES = [KmsKeyRotation, ...POLICY_RULES];

// ---------------------------------------------------------------------------------------
// policyDocumentsOf
// ---------------------------------------------------------------------------------------

describe("policyDocumentsOf", () => {
  const kindsOf = (type: string, config: Config) =>
    policyDocumentsOf(elementOf(type, config)).map((p) => [p.attribute, p.kind, p.unreadable]);

  test("reads a bucket policy as a resource policy", () => {
    expect(kindsOf("aws_s3_bucket_policy", { policy: doc(denyPlainUploads()) })).toEqual([["policy", "resource", undefined]]);
  });

  test("reads a key policy as a key policy", () => {
    expect(kindsOf("aws_kms_key", { policy: doc(allowRead()) })).toEqual([["policy", "key", undefined]]);
  });

  test("reads a role's trust policy and each of its inline policies", () => {
    const role = {
      assume_role_policy: doc(trust({ Service: "sagemaker.amazonaws.com" })),
      inline_policy: [
        { name: "a", policy: doc(allowRead()) },
        { name: "b", policy: doc(allowRead()) },
      ],
    };
    expect(kindsOf("aws_iam_role", role)).toEqual([
      ["assume_role_policy", "trust", undefined],
      ["inline_policy[0].policy", "identity", undefined],
      ["inline_policy[1].policy", "identity", undefined],
    ]);
  });

  test("reads role, user and managed policies as identity policies", () => {
    for (const type of ["aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_policy"]) {
      expect(kindsOf(type, { policy: doc(allowRead()) })).toEqual([["policy", "identity", undefined]]);
    }
  });

  test("reads access point and model package group policies as resource policies", () => {
    expect(kindsOf("aws_s3_access_point", { policy: doc(allowRead()) })).toEqual([["policy", "resource", undefined]]);
    expect(kindsOf("aws_s3control_access_point_policy", { policy: doc(allowRead()) })).toEqual([
      ["policy", "resource", undefined],
    ]);
    expect(kindsOf("aws_sagemaker_model_package_group_policy", { resource_policy: doc(allowRead()) })).toEqual([
      ["resource_policy", "resource", undefined],
    ]);
  });

  test("reads an organization policy as an SCP unless its type says RCP", () => {
    expect(kindsOf("aws_organizations_policy", { content: doc(denyPlainUploads()) })).toEqual([["content", "scp", undefined]]);
    expect(kindsOf("aws_organizations_policy", { type: "RESOURCE_CONTROL_POLICY", content: doc(denyPlainUploads()) })).toEqual([
      ["content", "rcp", undefined],
    ]);
  });

  test("skips organization policies that are not IAM documents, such as tag policies", () => {
    expect(kindsOf("aws_organizations_policy", { type: "TAG_POLICY", content: '{"tags":{}}' })).toEqual([]);
  });

  test("finds nothing on a resource without a policy, on an empty policy, or on a provider", () => {
    expect(kindsOf("aws_s3_bucket", { bucket: "acme-ml-data" })).toEqual([]);
    expect(kindsOf("aws_s3_access_point", { policy: "" })).toEqual([]);
    expect(policyDocumentsOf(providerElement())).toEqual([]);
  });

  test("keeps Terraform interpolations inside JSON strings as written", () => {
    const [p] = policyDocumentsOf(
      elementOf("aws_iam_role_policy", { policy: doc(allowRead({ Resource: "${aws_s3_bucket.data.arn}/*" })) }),
    );
    expect(p.document?.Statement[0].Resource).toBe("${aws_s3_bucket.data.arn}/*");
  });

  test("reads a single Statement object as a list of one", () => {
    const [p] = policyDocumentsOf(
      elementOf("aws_iam_policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement: allowRead() }) }),
    );
    expect(p.document?.Statement).toEqual([allowRead()]);
  });

  test.each([
    ["text that is not JSON", "{not json", /not valid JSON/],
    ["a Terraform expression", "${data.aws_iam_policy_document.read.json}", /Terraform expression/],
    ["a jsonencode call", "${jsonencode({Statement = []})}", /Terraform expression/],
    ["JSON with an expression where a value belongs", '{"Statement": ${local.statements}}', /not valid JSON/],
    ["a document without Statement", '{"Version":"2012-10-17"}', /no Statement/],
    ["a Statement that is not an object", '{"Statement":["s3:GetObject"]}', /not an object/],
  ])("reports %s as unreadable, with the reason", (_what, policy, reason) => {
    const [p] = policyDocumentsOf(elementOf("aws_iam_policy", { policy }));
    expect(p.document).toBeUndefined();
    expect(p.unreadable).toMatch(reason);
  });
});

describe("the account of a principal", () => {
  test("is the account id of an account root, a role or an assumed-role session", () => {
    expect(principalAccount(`arn:aws:iam::${PARTNER}:root`)).toBe(PARTNER);
    expect(principalAccount(`arn:aws:iam::${PARTNER}:role/ml/reader`)).toBe(PARTNER);
    expect(principalAccount(`arn:aws:sts::${PARTNER}:assumed-role/reader/session`)).toBe(PARTNER);
    expect(principalAccount(PARTNER)).toBe(PARTNER);
  });

  test("is the stack's own account for a reference to a role of the stack or the caller's account", () => {
    expect(principalAccount("${aws_iam_role.reader.arn}")).toBe("home");
    expect(principalAccount("arn:aws:iam::${data.aws_caller_identity.current.account_id}:root")).toBe("home");
  });

  test("is unknown when only a plan can tell, and anyone for *", () => {
    expect(principalAccount("arn:aws:iam::${var.partner}:root")).toBe("unknown");
    expect(principalAccount("${aws_organizations_account.partner.id}")).toBe("unknown");
    expect(principalAccount("*")).toBe("anyone");
  });

  test("the stack's account is the allowed account of the provider the resource uses", () => {
    const stack: StackJson = {
      provider: { aws: [{ allowed_account_ids: [LAKE] }, awsProvider()] },
      resource: { aws_iam_role: { viaAlias: { provider: "aws.consumer" }, viaDefault: {} } },
    };
    const [viaAlias, viaDefault] = elementsOf("fixture", stack);
    expect(homeAccountsOf(viaAlias)).toEqual([HOME]);
    expect(homeAccountsOf(viaDefault)).toEqual([LAKE]);
  });
});

// ---------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------

describe("the framework", () => {
  test("enforces every new rule at synth", () => {
    for (const rule of NEW_RULES) expect(RULES).toContain(rule);
  });
});

describe.each(NEW_RULES)("$id does not apply", (rule) => {
  test("to a provider", () => {
    expect(rule.check(providerElement())).toBe("not-applicable");
  });

  test("to a bucket without a policy", () => {
    expect(verdict(rule, "aws_s3_bucket", { bucket: "acme-ml-data" })).toBe("not-applicable");
  });
});

describe.each(POLICY_RULES)("$id fails a policy it cannot read", (rule) => {
  test("when the trust or identity policy is not JSON", () => {
    const type = rule === CrossAccountTrustCondition ? "aws_iam_role" : "aws_iam_role_policy";
    const attribute = rule === CrossAccountTrustCondition ? "assume_role_policy" : "policy";
    expect(verdict(rule, type, { [attribute]: "{not json" })).toBe("non-compliant");
  });

  test("when it is a Terraform expression known only at plan time", () => {
    const type = rule === CrossAccountTrustCondition ? "aws_iam_role" : "aws_iam_role_policy";
    const attribute = rule === CrossAccountTrustCondition ? "assume_role_policy" : "policy";
    expect(verdict(rule, type, { [attribute]: "${data.aws_iam_policy_document.it.json}" })).toBe("non-compliant");
  });
});

describe("KMS_KEY_ROTATION", () => {
  const rule = KmsKeyRotation;

  test("passes a key with rotation on", () => {
    expect(verdict(rule, "aws_kms_key", { enable_key_rotation: true })).toBe("compliant");
  });

  test("fails a key that does not say enable_key_rotation (AWS's default is off)", () => {
    expect(verdict(rule, "aws_kms_key", { description: "datasets" })).toBe("non-compliant");
  });

  test('fails a key with rotation written as the string "true" rather than a boolean', () => {
    expect(verdict(rule, "aws_kms_key", { enable_key_rotation: "true" })).toBe("non-compliant");
  });

  test("fails a symmetric key spelled out with rotation off", () => {
    expect(verdict(rule, "aws_kms_key", { key_spec: "SYMMETRIC_DEFAULT", enable_key_rotation: false })).toBe("non-compliant");
  });

  test("does not apply to an asymmetric key, which KMS cannot rotate", () => {
    expect(verdict(rule, "aws_kms_key", { key_spec: "RSA_2048", key_usage: "SIGN_VERIFY" })).toBe("not-applicable");
  });

  test("does not apply to a key alias", () => {
    expect(verdict(rule, "aws_kms_alias", { name: "alias/acme-ml/datasets" })).toBe("not-applicable");
  });
});

describe("IAM_NO_WILDCARD_ACTIONS", () => {
  const rule = IamNoWildcardActions;

  test("passes an Allow that names its actions", () => {
    expect(onIdentityPolicy(rule, allowRead())).toBe("compliant");
  });

  test("passes an Allow of an action pattern narrower than the whole service", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: ["s3:Get*", "kms:GenerateDataKey*"] }))).toBe("compliant");
  });

  test("passes a Deny of every action of a service, which grants nothing", () => {
    expect(verdict(rule, "aws_s3_bucket_policy", { policy: doc(denyPlainUploads({ Action: "s3:*" })) })).toBe("compliant");
  });

  test("fails an Allow of every action", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: "*" }))).toBe("non-compliant");
  });

  test("fails an Allow of every action of one service, among named ones", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: ["s3:GetObject", "kms:*"] }))).toBe("non-compliant");
  });

  test("fails a wildcard in a statement after a compliant one", () => {
    expect(onIdentityPolicy(rule, allowRead(), allowRead({ Sid: "All", Action: "sagemaker:*" }))).toBe("non-compliant");
  });

  test("fails an Allow with NotAction, which grants everything it does not list", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: undefined, NotAction: "iam:*" }))).toBe("non-compliant");
  });

  test("fails a wildcard in a key policy and in a role's inline policy", () => {
    expect(
      verdict(rule, "aws_kms_key", {
        policy: doc(allowRead({ Principal: { AWS: `arn:aws:iam::${HOME}:root` }, Action: "kms:*", Resource: "*" })),
      }),
    ).toBe("non-compliant");
    const role = {
      assume_role_policy: doc(trust({ Service: "sagemaker.amazonaws.com" }, fromHome)),
      inline_policy: [{ name: "all", policy: doc(allowRead({ Action: "s3:*" })) }],
    };
    expect(verdict(rule, "aws_iam_role", role)).toBe("non-compliant");
  });

  test("does not apply to a KMS key without a policy", () => {
    expect(verdict(rule, "aws_kms_key", { enable_key_rotation: true })).toBe("not-applicable");
  });
});

describe("IAM_ALLOW_HAS_RESOURCE", () => {
  const rule = IamAllowHasResource;

  test("passes an Allow that names its resources", () => {
    expect(onIdentityPolicy(rule, allowRead())).toBe("compliant");
  });

  test("passes a key policy whose statements name the key as *, as key policies must", () => {
    const keyPolicy = doc(allowRead({ Principal: { AWS: `arn:aws:iam::${HOME}:root` }, Action: "kms:Decrypt", Resource: "*" }));
    expect(verdict(rule, "aws_kms_key", { policy: keyPolicy })).toBe("compliant");
  });

  test("passes a Deny with NotResource, which only narrows what is denied", () => {
    expect(
      onIdentityPolicy(
        rule,
        allowRead(),
        denyPlainUploads({ Principal: undefined, Resource: undefined, NotResource: BUCKET_ARN }),
      ),
    ).toBe("compliant");
  });

  test("fails an Allow without a Resource", () => {
    expect(onIdentityPolicy(rule, allowRead({ Resource: undefined }))).toBe("non-compliant");
  });

  test("fails an Allow with an empty Resource list", () => {
    expect(onIdentityPolicy(rule, allowRead({ Resource: [] }))).toBe("non-compliant");
  });

  test("fails an Allow with NotResource, which grants everything it does not list", () => {
    expect(onIdentityPolicy(rule, allowRead({ Resource: undefined, NotResource: `${BUCKET_ARN}/secret/*` }))).toBe(
      "non-compliant",
    );
  });

  test("fails a role whose inline policy has an Allow without a Resource, though its trust policy has none either", () => {
    const role = {
      assume_role_policy: doc(trust({ Service: "sagemaker.amazonaws.com" }, fromHome)),
      inline_policy: [{ name: "read", policy: doc(allowRead({ Resource: undefined })) }],
    };
    expect(verdict(rule, "aws_iam_role", role)).toBe("non-compliant");
  });

  test("does not apply to a role that has only a trust policy, where Resource has no place", () => {
    expect(onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }, fromHome))).toBe("not-applicable");
  });
});

describe("CROSS_ACCOUNT_TRUST_CONDITION", () => {
  const rule = CrossAccountTrustCondition;
  const partnerRoot = { AWS: `arn:aws:iam::${PARTNER}:root` };

  test("passes another account's root held to the organization", () => {
    expect(onRole(rule, trust(partnerRoot, inOrg))).toBe("compliant");
  });

  test("passes another account's role held to an external id", () => {
    expect(
      onRole(rule, trust({ AWS: `arn:aws:iam::${PARTNER}:role/ingest` }, { StringEquals: { "sts:ExternalId": "acme-ml-7f3a" } })),
    ).toBe("compliant");
  });

  test("passes a service held to the source account", () => {
    expect(onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }, fromHome))).toBe("compliant");
  });

  test("passes a service held to a source ARN in an account", () => {
    const condition = { ArnLike: { "aws:SourceArn": `arn:aws:sagemaker:us-east-1:${HOME}:*` } };
    expect(onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }, condition))).toBe("compliant");
  });

  test("passes the stack's own account, which needs no condition", () => {
    expect(onRole(rule, trust({ AWS: `arn:aws:iam::${HOME}:root` }))).toBe("compliant");
  });

  test("passes a role of the stack named by reference", () => {
    expect(onRole(rule, trust({ AWS: "${aws_iam_role.pipeline.arn}" }))).toBe("compliant");
  });

  test("passes a Deny without conditions, which admits no one", () => {
    expect(onRole(rule, trust(partnerRoot, inOrg), { ...trust(partnerRoot), Effect: "Deny" })).toBe("compliant");
  });

  test("fails another account's root with no condition", () => {
    expect(onRole(rule, trust(partnerRoot))).toBe("non-compliant");
  });

  test("fails a service with no condition", () => {
    expect(onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }))).toBe("non-compliant");
  });

  test("fails another account admitted by a second statement, though the first is held to the organization", () => {
    expect(onRole(rule, trust(partnerRoot, inOrg), trust({ AWS: `arn:aws:iam::${LAKE}:role/reader` }))).toBe("non-compliant");
  });

  test("fails another account held only by a condition that does not restrict the principal", () => {
    expect(onRole(rule, trust(partnerRoot, { Bool: { "aws:MultiFactorAuthPresent": "true" } }))).toBe("non-compliant");
  });

  test("fails an organization condition under IfExists, which a request without the key passes", () => {
    expect(onRole(rule, trust(partnerRoot, { StringEqualsIfExists: { "aws:PrincipalOrgID": ORG } }))).toBe("non-compliant");
  });

  test("fails a negated organization condition, which admits every other organization", () => {
    expect(onRole(rule, trust(partnerRoot, { StringNotEquals: { "aws:PrincipalOrgID": ORG } }))).toBe("non-compliant");
  });

  test("fails an organization condition that is a wildcard", () => {
    expect(onRole(rule, trust(partnerRoot, { StringLike: { "aws:PrincipalOrgID": "o-*" } }))).toBe("non-compliant");
  });

  test("fails a service held to the organization rather than the source account", () => {
    expect(onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }, inOrg))).toBe("non-compliant");
  });

  test("fails a service held to a source ARN of any account", () => {
    expect(
      onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }, { ArnLike: { "aws:SourceArn": "arn:aws:sagemaker:*:*:*" } })),
    ).toBe("non-compliant");
  });

  test("fails a statement naming an account and a service held only to the organization", () => {
    const both = { AWS: `arn:aws:iam::${PARTNER}:root`, Service: "sagemaker.amazonaws.com" };
    expect(onRole(rule, trust(both, inOrg))).toBe("non-compliant");
  });

  test("fails Principal * with no condition", () => {
    expect(onRole(rule, trust("*"))).toBe("non-compliant");
  });

  test("fails an account that only a plan can tell, with no condition", () => {
    expect(onRole(rule, trust({ AWS: "arn:aws:iam::${var.partner_account}:root" }))).toBe("non-compliant");
  });

  test("fails the stack's own account id when the role's provider is pinned to another account", () => {
    const config = { assume_role_policy: doc(trust({ AWS: `arn:aws:iam::${HOME}:root` })) };
    expect(verdict(rule, "aws_iam_role", config, awsProvider({ allowed_account_ids: [LAKE] }))).toBe("non-compliant");
  });

  test("does not apply to a role policy, which has no trust policy", () => {
    expect(onIdentityPolicy(rule, allowRead())).toBe("not-applicable");
  });

  test("does not apply to a bucket policy admitting another account", () => {
    const grant = allowRead({ Principal: partnerRoot });
    expect(verdict(rule, "aws_s3_bucket_policy", { policy: doc(grant) })).toBe("not-applicable");
  });
});

describe("IAM_ACTIONS_EXIST", () => {
  const rule = IamActionsExist;

  test("passes actions AWS has, in any letter case", () => {
    expect(
      onIdentityPolicy(rule, allowRead({ Action: ["s3:GetObject", "KMS:decrypt", "sagemaker:CreatePresignedDomainUrl"] })),
    ).toBe("compliant");
  });

  test("passes patterns that match at least one action, and * in a Deny", () => {
    expect(
      onIdentityPolicy(
        rule,
        allowRead({ Action: "kms:GenerateDataKey*" }),
        denyPlainUploads({ Principal: undefined, Action: "*" }),
      ),
    ).toBe("compliant");
  });

  test("passes a trust policy's sts actions", () => {
    expect(
      onRole(rule, trust({ Service: "sagemaker.amazonaws.com" }, fromHome), {
        ...trust({ Service: "sagemaker.amazonaws.com" }, fromHome),
        Action: ["sts:AssumeRole", "sts:TagSession"],
      }),
    ).toBe("compliant");
  });

  test("fails a misspelled action", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: ["s3:GetObject", "s3:GetObjects"] }))).toBe("non-compliant");
  });

  test("fails a misspelled action in a Deny, which would never fire", () => {
    expect(verdict(rule, "aws_s3_bucket_policy", { policy: doc(denyPlainUploads({ Action: "s3:PutObjet" })) })).toBe(
      "non-compliant",
    );
  });

  test("fails a NotAction naming no action", () => {
    expect(
      onIdentityPolicy(rule, denyPlainUploads({ Principal: undefined, Action: undefined, NotAction: "s3:ReadEverything" })),
    ).toBe("non-compliant");
  });

  test("fails a service prefix AWS does not have", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: "sagemakr:CreateDomain" }))).toBe("non-compliant");
  });

  test("fails a pattern that matches nothing, though it looks like a pattern", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: "s3:Fetch*" }))).toBe("non-compliant");
  });

  test("fails a statement that names no action at all", () => {
    expect(onIdentityPolicy(rule, allowRead({ Action: undefined }))).toBe("non-compliant");
  });

  test("does not apply to a key alias", () => {
    expect(verdict(rule, "aws_kms_alias", { name: "alias/acme-ml/datasets" })).toBe("not-applicable");
  });
});

// ---------------------------------------------------------------------------------------
// The reference topology
// ---------------------------------------------------------------------------------------

describe("the reference topology", () => {
  const out = synthInput(referenceInput());
  const elements = Object.entries(out.stacks).flatMap(([name, json]) => elementsOf(name, json));

  test("synthesizes keys and policies for the new rules to check", () => {
    expect(elements.some((e) => e.type === "aws_kms_key")).toBe(true);
    const kinds = new Set(elements.flatMap((e) => policyDocumentsOf(e).map((p) => p.kind)));
    for (const kind of ["identity", "resource", "key"]) expect(kinds).toContain(kind);
  });

  test("has no policy document the rules cannot read", () => {
    const unreadable = elements.flatMap((e) =>
      policyDocumentsOf(e)
        .filter((p) => p.unreadable)
        .map((p) => `${addressOf(e)} ${p.attribute}: ${p.unreadable}`),
    );
    expect(unreadable).toEqual([]);
  });

  test("with a consumer reading through a reader role, passes that role's trust policy", () => {
    const input = referenceInput();
    input.datasets[0].consumers[0].via = "assume-role";
    const variant = synthInput(input);
    const roles = Object.entries(variant.stacks)
      .flatMap(([name, json]) => elementsOf(name, json))
      .filter((e) => e.type === "aws_iam_role");
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles)
      expect([addressOf(role), CrossAccountTrustCondition.check(role)]).toEqual([addressOf(role), "compliant"]);
    expect(checkCompliance(variant.stacks, variant.topology.suppressions, NEW_RULES).violations).toEqual([]);
  });

  test.each(NEW_RULES.map((r) => [r.id, r] as const))("breaks no %s", (_id, rule) => {
    const report = checkCompliance(out.stacks, out.topology.suppressions, [rule]);
    expect(report.violations).toEqual([]);
  });
});
