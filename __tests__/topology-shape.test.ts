/**
 * The shape of a topology file (config/schema.ts): required keys, AWS formats, enums, list
 * sizes and unknown keys. Each refusal is asserted by its path and message.
 */
import { parseText, validateTopology } from "../config/load";
import { problemsAfter } from "./helpers/problems";
import { minimalInput, problemsOf, referenceInput } from "./helpers/topology";

const TOP_LEVEL_KEYS =
  "$schema, version, project, defaultRegion, tags, organization, state, accounts, environments, datasets, modelArtifacts, tables, sagemaker, mlProjects, ramShares, compliance, pipeline";

describe("valid topologies", () => {
  test("accepts the reference topology", () => {
    expect(problemsOf(referenceInput())).toEqual([]);
  });

  test("accepts the minimal topology: a provider, a consumer and one dataset", () => {
    expect(problemsOf(minimalInput())).toEqual([]);
  });

  test("accepts a topology whose state lives in Terraform Cloud", () => {
    const problems = problemsAfter((t) => {
      t.state = { backend: "cloud", organization: "acme", workspacePrefix: "ml-sharing-", hostname: "tfe.example.com" };
    }, minimalInput);
    expect(problems).toEqual([]);
  });

  test("accepts VPC and subnet ids of both the 8-digit and 17-digit forms", () => {
    const problems = problemsAfter((t) => {
      t.sagemaker.domains[0].vpcId = "vpc-0a1b2c3d";
      t.sagemaker.domains[0].subnetIds = ["subnet-0a1b2c3d", "subnet-0a1b2c3d4e5f60718"];
    });
    expect(problems).toEqual([]);
  });
});

describe("required keys", () => {
  test.each([
    ["version", (t: any) => delete t.version, "version: is required: must be 1 (the only topology version)"],
    ["project", (t: any) => delete t.project, "project: is required (string)"],
    ["defaultRegion", (t: any) => delete t.defaultRegion, "defaultRegion: is required (string)"],
    ["organization.id", (t: any) => delete t.organization.id, "organization.id: is required (string)"],
    [
      "organization.managementAccount",
      (t: any) => delete t.organization.managementAccount,
      "organization.managementAccount: is required (string)",
    ],
    ["state", (t: any) => delete t.state, "state: is required (object)"],
  ])("refuses a topology without %s", (_key, change, line) => {
    expect(problemsAfter(change, minimalInput)).toEqual([line]);
  });

  test("refuses a topology without accounts", () => {
    const problems = problemsAfter((t) => delete t.accounts, minimalInput);
    // Every reference to an account is then unknown too; the missing key comes first.
    expect(problems[0]).toBe("accounts: is required (object)");
    expect(problems).toContain('organization.managementAccount: unknown account "mgmt"; known: none defined');
  });

  test("refuses an empty accounts map", () => {
    expect(problemsAfter((t) => (t.accounts = {}), minimalInput)).toContain(
      "accounts: must define at least one account (value: {})",
    );
  });

  test("refuses a file that is not a mapping", () => {
    expect(problemsOf(["version", 1])).toEqual(['must be object (value: ["version",1])']);
  });
});

describe("AWS formats", () => {
  test.each<[string, (t: any) => void, string]>([
    [
      "a project prefix with capitals and an underscore",
      (t) => (t.project = "Acme_ML"),
      'project: must be 3-20 characters of [a-z0-9-], starting with a letter (value: "Acme_ML")',
    ],
    [
      "a project prefix of 2 characters",
      (t) => (t.project = "ab"),
      'project: must be 3-20 characters of [a-z0-9-], starting with a letter (value: "ab")',
    ],
    [
      "a default region that does not exist",
      (t) => (t.defaultRegion = "us-east-9x"),
      'defaultRegion: must be an AWS region name such as us-east-1 or eu-central-2 (value: "us-east-9x")',
    ],
    [
      "an account region that is not a region name",
      (t) => (t.accounts.lake.region = "europe"),
      'accounts.lake.region: must be an AWS region name such as us-east-1 or eu-central-2 (value: "europe")',
    ],
    [
      "an account id of 11 digits",
      (t) => (t.accounts.lake.id = "10000000002"),
      'accounts.lake.id: must be a 12-digit AWS account id written as a quoted string ("012345678901") (value: "10000000002")',
    ],
    [
      "an organization id that is too short",
      (t) => (t.organization.id = "o-123"),
      'organization.id: must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits (value: "o-123")',
    ],
    [
      "a root id without its r- prefix",
      (t) => (t.organization.rootId = "a1b2"),
      'organization.rootId: must be an AWS Organizations root id: r- followed by 4-32 lowercase letters or digits (value: "a1b2")',
    ],
    [
      "an OU id that is not one",
      (t) => Object.assign(t.organization, { rootId: "r-a1b2", organizationalUnits: [{ name: "sandbox", id: "ou-1" }] }),
      'organization.organizationalUnits[0].id: must be an organizational unit id such as ou-ab12-cd34ef56 (value: "ou-1")',
    ],
    [
      "an OU name starting with a hyphen",
      (t) => Object.assign(t.organization, { rootId: "r-a1b2", organizationalUnits: [{ name: "-sandbox" }] }),
      'organization.organizationalUnits[0].name: must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit (value: "-sandbox")',
    ],
    [
      "a deploy role name with a space",
      (t) => (t.accounts.lake.deployRole = "deploy role"),
      'accounts.lake.deployRole: must be an IAM role name: 1-64 characters of [A-Za-z0-9+=,.@_-] (value: "deploy role")',
    ],
    [
      "an external id of one character",
      (t) => (t.accounts.lake.deployExternalId = "x"),
      'accounts.lake.deployExternalId: must be an external id: 2-1224 characters of [A-Za-z0-9+=,.@:/-] (value: "x")',
    ],
    [
      "an environment name with a capital",
      (t) => (t.environments = ["Dev"]),
      'environments[0]: must be 1-20 characters of [a-z0-9-], starting with a letter (value: "Dev")',
    ],
    [
      "an account e-mail that is not an address",
      (t) => Object.assign(t.accounts.lake, { email: "lake.example.com", name: "Lake" }),
      'accounts.lake.email: must be an e-mail address (value: "lake.example.com")',
    ],
    [
      "an empty account name",
      (t) => Object.assign(t.accounts.lake, { email: "lake@example.com", name: "" }),
      'accounts.lake.name: must be 1-50 characters (value: "")',
    ],
    [
      "a dataset name of one character",
      (t) => (t.datasets[0].name = "e"),
      'datasets[0].name: must be 2-40 characters of [a-z0-9-], not starting with a hyphen (value: "e")',
    ],
    [
      "a consumer role name with a slash",
      (t) => (t.datasets[0].consumers[0].roles = ["team/analyst"]),
      'datasets[0].consumers[0].roles[0]: must be an IAM role name: 1-64 characters of [A-Za-z0-9+=,.@_-] (value: "team/analyst")',
    ],
    [
      "a model artifact set name with capitals",
      (t) => (t.modelArtifacts = [{ name: "Models", account: "lake" }]),
      'modelArtifacts[0].name: must be 2-40 characters of [a-z0-9-], not starting with a hyphen (value: "Models")',
    ],
    [
      "a state bucket name with dots and capitals",
      (t) => (t.state.bucket = "Mini.TFState"),
      'state.bucket: must be an S3 bucket name: 3-63 characters of [a-z0-9-], starting and ending with a letter or digit, no dots (value: "Mini.TFState")',
    ],
    [
      "a state region that is not a region name",
      (t) => (t.state.region = "mars-1"),
      'state.region: must be an AWS region name such as us-east-1 or eu-central-2 (value: "mars-1")',
    ],
    [
      "a state key prefix with a leading slash",
      (t) => (t.state.keyPrefix = "/ml"),
      'state.keyPrefix: must be 1-200 characters of [A-Za-z0-9._/-], starting with a letter or digit, no leading slash (value: "/ml")',
    ],
    [
      "a lock table name of two characters",
      (t) => Object.assign(t.state, { locking: "dynamodb", dynamodbTable: "tf" }),
      'state.dynamodbTable: must be a DynamoDB table name: 3-255 characters of [A-Za-z0-9_.-] (value: "tf")',
    ],
    [
      "a state role ARN with a short account id",
      (t) => (t.state.roleArn = "arn:aws:iam::1:role/terraform-state"),
      'state.roleArn: must be an IAM role ARN such as arn:aws:iam::111111111111:role/terraform-state (value: "arn:aws:iam::1:role/terraform-state")',
    ],
    [
      "a Terraform Cloud organization with a space",
      (t) => (t.state = { backend: "cloud", organization: "acme corp" }),
      'state.organization: must be 1-90 characters of [A-Za-z0-9_-] (value: "acme corp")',
    ],
    [
      "a workspace prefix with a space",
      (t) => (t.state = { backend: "cloud", organization: "acme", workspacePrefix: "ml sharing" }),
      'state.workspacePrefix: must be 0-50 characters of [A-Za-z0-9_-] (value: "ml sharing")',
    ],
    [
      "a Terraform Enterprise host name with an underscore",
      (t) => (t.state = { backend: "cloud", organization: "acme", hostname: "tfe_acme" }),
      'state.hostname: must be a host name (value: "tfe_acme")',
    ],
    [
      "a tag key starting with aws:",
      (t) => (t.tags = { "aws:owner": "ml" }),
      'tags["aws:owner"]: tag keys are 1-128 characters of letters, digits, spaces and _.:/=+-@, not starting with aws: (value: "aws:owner")',
    ],
    [
      "a tag value with a #",
      (t) => (t.tags = { Team: "ml#1" }),
      'tags.Team: tag values are 0-256 characters of letters, digits, spaces and _.:/=+-@ (value: "ml#1")',
    ],
    ["a tag value that is a number", (t) => (t.tags = { Team: 7 }), "tags.Team: tag values must be strings (value: 7)"],
    [
      "a guardrail target that is neither root, an OU nor an account",
      (t) => (t.organization.guardrails = [{ kind: "deny-leave-organization", targets: ["everywhere"] }]),
      'organization.guardrails[0].targets[0]: must be root, ou:<OU name> or account:<account key> (value: "everywhere")',
    ],
    [
      "a compliance suppression without a real reason",
      (t) => (t.compliance = { suppressions: [{ rule: "S3_TLS_ONLY", resource: "lake/aws_s3_bucket.data", reason: "ok" }] }),
      'compliance.suppressions[0].reason: must explain the exception in at least 10 characters (value: "ok")',
    ],
    ["version 2", (t) => (t.version = 2), "version: must be 1 (the only topology version) (value: 2)"],
  ])("refuses %s", (_what, change, line) => {
    expect(problemsAfter(change, minimalInput)).toEqual([line]);
  });

  test.each<[string, (t: any) => void, string]>([
    [
      "a VPC id of 5 digits",
      (t) => (t.sagemaker.domains[0].vpcId = "vpc-0a1b2"),
      'sagemaker.domains[0].vpcId: must be a VPC id: vpc- followed by 8 or 17 hexadecimal digits (value: "vpc-0a1b2")',
    ],
    [
      "a subnet id with letters beyond hexadecimal",
      (t) => (t.sagemaker.domains[0].subnetIds[1] = "subnet-xyz12345"),
      'sagemaker.domains[0].subnetIds[1]: must be a subnet id: subnet- followed by 8 or 17 hexadecimal digits (value: "subnet-xyz12345")',
    ],
    [
      "a SageMaker user name with an underscore",
      (t) => (t.sagemaker.domains[0].users[1].name = "bob_smith"),
      'sagemaker.domains[0].users[1].name: must be a SageMaker user name: 1-63 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen (value: "bob_smith")',
    ],
    [
      "an ML project name with an underscore",
      (t) => (t.mlProjects[0].name = "churn_v2"),
      'mlProjects[0].name: must be an ML project name: 1-32 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen (value: "churn_v2")',
    ],
    [
      "a Service Catalog product id that is too short",
      (t) => (t.mlProjects[0].serviceCatalogProductId = "prod-1"),
      'mlProjects[0].serviceCatalogProductId: must be a Service Catalog product id: prod- followed by 12-13 lowercase letters or digits (value: "prod-1")',
    ],
    [
      "a provisioning artifact id that is too short",
      (t) => (t.mlProjects[0].provisioningArtifactId = "pa-1"),
      'mlProjects[0].provisioningArtifactId: must be a provisioning artifact id: pa- followed by 12-13 lowercase letters or digits (value: "pa-1")',
    ],
    [
      "a model package group name with an underscore",
      (t) => (t.mlProjects[0].modelPackageGroup = "churn_models"),
      'mlProjects[0].modelPackageGroup: must be a model package group name: 1-63 letters, digits and inner hyphens (value: "churn_models")',
    ],
    [
      "a RAM share name with a space",
      (t) => (t.ramShares[0].name = "ai training"),
      'ramShares[0].name: must be 1-100 characters of [A-Za-z0-9._-] (value: "ai training")',
    ],
    [
      "a RAM principal that is neither the organization, an OU nor an account",
      (t) => t.ramShares[0].principals.push("everyone"),
      'ramShares[0].principals[2]: must be organization, ou:<OU name> or account:<account key> (value: "everyone")',
    ],
  ])("refuses %s", (_what, change, line) => {
    expect(problemsAfter(change)).toEqual([line]);
  });

  test("refuses an unquoted account id, which YAML reads as a number, and says to quote it", () => {
    const { value } = parseText('version: 1\naccounts:\n  lake: { id: 012345678901 }\n');
    const t = minimalInput();
    t.accounts.lake = (value as any).accounts.lake;
    expect(problemsOf(t)).toEqual([
      'accounts.lake.id: must be a string: a 12-digit AWS account id written as a quoted string ("012345678901") (value: 12345678901)',
    ]);
  });

  test("refuses a boolean written as a string", () => {
    expect(problemsAfter((t) => (t.organization.ramSharingWithOrganization = "yes"), minimalInput)).toEqual([
      'organization.ramSharingWithOrganization: must be boolean (value: "yes")',
    ]);
  });

  test("refuses a single value where a list is expected", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers = "science"), minimalInput)).toEqual([
      'datasets[0].consumers: must be array (value: "science")',
    ]);
  });
});

/**
 * User and ML project names become SageMaker scopes (`<name>-*`) and IAM role names: nothing
 * a wildcard, a path or a case-insensitive IAM name could widen may pass.
 */
describe("names that scope SageMaker resources", () => {
  const USER_RULE = "must be a SageMaker user name: 1-63 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen";
  const PROJECT_RULE = "must be an ML project name: 1-32 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen";

  test.each(["ana*", "an?", "ana/lee", "..", "ana.lee", "Bob", "1ana", "ana-", "-ana", "ana--lee", "ana lee", "${ana}"])("refuses the user name %j", (name) => {
    expect(problemsAfter((t) => (t.sagemaker.domains[0].users[1].name = name))).toContain(
      `sagemaker.domains[0].users[1].name: ${USER_RULE} (value: ${JSON.stringify(name)})`,
    );
  });

  test.each(["fraud*", "fraud?", "fraud/v2", "fraud..v2", "Fraud", "2fraud", "fraud-", "fraud--v2"])("refuses the ML project name %j", (name) => {
    expect(problemsAfter((t) => (t.mlProjects[0].name = name))).toContain(`mlProjects[0].name: ${PROJECT_RULE} (value: ${JSON.stringify(name)})`);
  });

  test.each(["a", "ana", "ana-lee", "a1-b2-c3"])("accepts the user name %j", (name) => {
    expect(problemsAfter((t) => (t.sagemaker.domains[0].users[1].name = name))).toEqual([]);
  });

  test("refuses a user name of 64 characters", () => {
    const name = "x".repeat(64);
    expect(problemsAfter((t) => (t.sagemaker.domains[0].users[1].name = name))).toContain(`sagemaker.domains[0].users[1].name: ${USER_RULE} (value: ${JSON.stringify(name)})`);
  });

  test("accepts an ML project name of 32 characters and refuses one of 33", () => {
    // The project's own artifact set would make a bucket name past 63 characters: use the reference set.
    expect(problemsAfter((t) => Object.assign(t.mlProjects[0], { name: "c".repeat(32), modelArtifacts: "churn-model" }))).toEqual([]);
    expect(problemsAfter((t) => (t.mlProjects[0].name = "c".repeat(33)))).toContain(`mlProjects[0].name: ${PROJECT_RULE} (value: "${"c".repeat(33)}")`);
  });
});

describe("enumerations", () => {
  test.each<[string, (t: any) => void, string]>([
    [
      "an unknown state backend",
      (t) => (t.state.backend = "gcs"),
      'state.backend: must be s3 or cloud (value: "gcs")',
    ],
    [
      "an unknown locking mode",
      (t) => (t.state.locking = "none"),
      'state.locking: must be lockfile or dynamodb (value: "none")',
    ],
    [
      "an unknown dataset classification",
      (t) => (t.datasets[0].classification = "secret"),
      'datasets[0].classification: must be internal, confidential or restricted (value: "secret")',
    ],
    [
      "an unknown consumer access",
      (t) => (t.datasets[0].consumers[0].access = "write"),
      'datasets[0].consumers[0].access: must be read or read-write (value: "write")',
    ],
    [
      "an unknown way of granting a consumer",
      (t) => (t.datasets[0].consumers[0].via = "access-point"),
      'datasets[0].consumers[0].via: must be bucket-policy or assume-role (value: "access-point")',
    ],
    [
      "an unknown guardrail kind",
      (t) => (t.organization.guardrails = [{ kind: "deny-all", targets: ["account:lake"] }]),
      'organization.guardrails[0].kind: must be one of deny-leave-organization, require-sagemaker-vpc, data-perimeter (value: "deny-all")',
    ],
  ])("refuses %s", (_what, change, line) => {
    expect(problemsAfter(change, minimalInput)).toEqual([line]);
  });
});

describe("list sizes", () => {
  test.each<[string, (t: any) => void, string]>([
    [
      "a guardrail without targets",
      (t) => (t.organization.guardrails[0].targets = []),
      "organization.guardrails[0].targets: must name at least one target (value: [])",
    ],
    [
      "a consumer with an empty roles list",
      (t) => (t.datasets[0].consumers[1].roles = []),
      "datasets[0].consumers[1].roles: must name at least one role (sagemaker or an existing role name) (value: [])",
    ],
    [
      "a SageMaker domain without subnets",
      (t) => (t.sagemaker.domains[0].subnetIds = []),
      "sagemaker.domains[0].subnetIds: must list at least one subnet (value: [])",
    ],
    [
      "a RAM share without resources",
      (t) => (t.ramShares[0].resources = []),
      "ramShares[0].resources: must list at least one resource (value: [])",
    ],
    [
      "a RAM share without principals",
      (t) => (t.ramShares[0].principals = []),
      "ramShares[0].principals: must list at least one principal (value: [])",
    ],
  ])("refuses %s", (_what, change, line) => {
    expect(problemsAfter(change)).toEqual([line]);
  });
});

describe("unknown keys", () => {
  test("refuses a misspelled top-level key and lists the allowed ones", () => {
    expect(problemsAfter((t) => (t.dataset = []), minimalInput)).toEqual([
      `dataset: unknown key "dataset"; allowed here: ${TOP_LEVEL_KEYS}`,
    ]);
  });

  test.each<[string, (t: any) => void, string]>([
    [
      "in organization",
      (t) => (t.organization.guardrail = []),
      'organization.guardrail: unknown key "guardrail"; allowed here: id, rootId, managementAccount, organizationalUnits, guardrails, ramSharingWithOrganization',
    ],
    [
      "in an organizational unit",
      (t) => (t.organization.organizationalUnits[0].members = []),
      'organization.organizationalUnits[0].members: unknown key "members"; allowed here: name, parent, accounts, id',
    ],
    [
      "in a guardrail",
      (t) => (t.organization.guardrails[0].target = "root"),
      'organization.guardrails[0].target: unknown key "target"; allowed here: kind, targets',
    ],
    [
      "in state",
      (t) => (t.state.bukket = "acme-ml-tfstate"),
      'state.bukket: unknown key "bukket"; allowed here: backend, bucket, region, keyPrefix, locking, dynamodbTable, roleArn, account, organization, workspacePrefix, hostname',
    ],
    [
      "in an account",
      (t) => (t.accounts["ml-dev"].enviroment = "dev"),
      'accounts.ml-dev.enviroment: unknown key "enviroment"; allowed here: id, deployRole, deployExternalId, region, environment, email, name, create, network, outsideOrganization',
    ],
    [
      "in a dataset",
      (t) => (t.datasets[0].owner = "data-lake"),
      'datasets[0].owner: unknown key "owner"; allowed here: name, account, classification, consumers, existing',
    ],
    [
      "in a dataset consumer",
      (t) => (t.datasets[0].consumers[1].acess = "read"),
      'datasets[0].consumers[1].acess: unknown key "acess"; allowed here: account, access, via, roles',
    ],
    [
      "in a model artifact consumer",
      (t) => (t.modelArtifacts[0].consumers[0].access = "read"),
      'modelArtifacts[0].consumers[0].access: unknown key "access"; allowed here: account',
    ],
    [
      "in sagemaker",
      (t) => (t.sagemaker.domain = {}),
      'sagemaker.domain: unknown key "domain"; allowed here: domains',
    ],
    [
      "in a SageMaker user",
      (t) => (t.sagemaker.domains[0].users[1].dataset = "churn"),
      'sagemaker.domains[0].users[1].dataset: unknown key "dataset"; allowed here: name, datasets, modelArtifacts, tables',
    ],
    [
      "in an ML project",
      (t) => (t.mlProjects[0].productId = "prod-abcd1234abcd"),
      'mlProjects[0].productId: unknown key "productId"; allowed here: name, serviceCatalogProductId, provisioningArtifactId, accounts, modelPackageGroup, modelArtifacts',
    ],
    [
      "in a RAM share resource",
      (t) => (t.ramShares[0].resources[0].type = "capacity-reservation"),
      'ramShares[0].resources[0].type: unknown key "type"; allowed here: arn',
    ],
    [
      "in a compliance suppression",
      (t) => (t.compliance = { suppressions: [{ rule: "S3_TLS_ONLY", resource: "x", reason: "a long enough reason", until: "2030" }] }),
      'compliance.suppressions[0].until: unknown key "until"; allowed here: rule, resource, reason',
    ],
  ])("refuses an unknown key %s and lists the allowed ones", (_where, change, line) => {
    expect(problemsAfter(change)).toEqual([line]);
  });

  test("accepts the $schema key editors use", () => {
    expect(problemsAfter((t) => (t.$schema = "../schema/topology.schema.json"), minimalInput)).toEqual([]);
  });
});

test("validateTopology returns the resolved topology with defaults applied", () => {
  const t = validateTopology(minimalInput());
  expect(t.datasets[0].consumers[0]).toEqual({ account: "science", access: "read", via: "bucket-policy", roles: ["analyst"] });
  expect(t.state).toMatchObject({ backend: "s3", keyPrefix: "mini", locking: "lockfile", account: "mgmt" });
  expect(t.tags).toEqual({ ManagedBy: "mlshare" });
});
