/**
 * The topology file, version 1, as a zod schema: the one definition that both validates
 * topologies and generates the JSON Schema editors use (`npm run schema`).
 *
 * This schema checks shapes and formats only. Rules that relate one part of the file to
 * another (references, uniqueness, name lengths) live in `rules.ts`, so that every error of
 * a file can be reported at once.
 * @see ../../shared/TOPOLOGY.md for the contract.
 */
import { z } from "zod";
import * as f from "./formats";
import { COLUMN_NAME, GLUE_NAME } from "./rules/tables";
import { DATA_PREFIX, EXISTING_BUCKET, KMS_KEY_ARN } from "./rules/existing";

/** A string that must match a format; the error names the rule. */
function formatted(format: f.Format, description?: string) {
  const s = z.string({ error: `must be a string: ${format.rule}` }).regex(format.pattern, {
    error: `must be ${format.rule}`,
  });
  return description ? s.describe(description) : s;
}

/** A list whose absent value means "none". */
function list<T extends z.ZodType>(item: T, description: string) {
  return z.array(item).optional().describe(description);
}

const AWS_TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const AWS_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const tags = z
  .record(
    z.string().regex(AWS_TAG_KEY, {
      error: "tag keys are 1-128 characters of letters, digits, spaces and _.:/=+-@, not starting with aws:",
    }),
    z.string({ error: "tag values must be strings" }).regex(AWS_TAG_VALUE, {
      error: "tag values are 0-256 characters of letters, digits, spaces and _.:/=+-@",
    }),
  )
  .optional()
  .describe("Default tags of every resource (provider default_tags). ManagedBy = mlshare is always added.");

const target = z
  .string()
  .regex(/^(root|ou:.+|account:.+)$/, { error: "must be root, ou:<OU name> or account:<account key>" });

const guardrail = z.strictObject({
  kind: z
    .enum(["deny-leave-organization", "require-sagemaker-vpc", "data-perimeter"], {
      error: "must be one of deny-leave-organization, require-sagemaker-vpc, data-perimeter",
    })
    .describe("Which organization policy to make."),
  targets: z.array(target).min(1, { error: "must name at least one target" }).describe("Where to attach it."),
});

const organizationalUnit = z.strictObject({
  name: formatted(f.OU_NAME, "The OU name; referenced as ou:<name>."),
  parent: z.string().optional().describe("root (default) or another OU's name."),
  accounts: list(z.string(), "Account keys placed in this OU."),
  id: formatted(f.OU_ID, "The OU id once it exists; lets other stacks name the OU without a lookup.").optional(),
});

const organization = z.strictObject({
  id: formatted(f.ORG_ID, "AWS Organizations id, used in aws:PrincipalOrgID conditions."),
  rootId: formatted(f.ROOT_ID, "Root id; needed when something targets root.").optional(),
  managementAccount: z.string().describe("The key of the management account in accounts."),
  organizationalUnits: list(organizationalUnit, "OUs created by the management stack."),
  guardrails: list(guardrail, "SCPs and RCPs made and attached by the management stack."),
  ramSharingWithOrganization: z.boolean().optional().describe("Enable RAM sharing inside the organization."),
});

const state = z.strictObject({
  backend: z
    .enum(["s3", "cloud"], { error: "must be s3 or cloud" })
    .optional()
    .describe("s3 (default) or cloud (Terraform Cloud / HCP Terraform)."),
  bucket: formatted(f.BUCKET_NAME, "The state bucket (backend s3).").optional(),
  region: formatted(f.REGION, "The state bucket's region (backend s3).").optional(),
  keyPrefix: formatted(f.KEY_PREFIX, "State key prefix; default: the project name.").optional(),
  locking: z.enum(["lockfile", "dynamodb"], { error: "must be lockfile or dynamodb" }).optional(),
  dynamodbTable: formatted(f.DYNAMODB_TABLE, "Lock table; required when locking is dynamodb.").optional(),
  roleArn: formatted(f.ROLE_ARN, "Role assumed for state access.").optional(),
  account: z
    .string()
    .optional()
    .describe("Account key whose bootstrap stack makes the state bucket; default: the management account."),
  organization: formatted(f.TFC_NAME, "Terraform Cloud organization (backend cloud).").optional(),
  workspacePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,50}$/, { error: "must be 0-50 characters of [A-Za-z0-9_-]" })
    .optional()
    .describe("Workspace name prefix (backend cloud); each stack's workspace is <prefix><stack>."),
  hostname: z
    .string()
    .regex(/^[a-z0-9.-]+$/, { error: "must be a host name" })
    .optional()
    .describe("Terraform Enterprise host name (backend cloud); default app.terraform.io."),
});

const network = z
  .strictObject({
    vpcId: formatted(f.VPC_ID, "The VPC of the account's ML project jobs, models and endpoints."),
    subnetIds: z
      .array(formatted(f.SUBNET_ID))
      .min(1, { error: "must list at least one subnet" })
      .describe("Subnets of that VPC; project roles create jobs and models only in these."),
  })
  .describe("Where this account's ML project jobs and models run; default: its SageMaker domain's VPC and subnets.");

const account = z.strictObject({
  id: formatted(f.ACCOUNT_ID, "12-digit account id, as a string.").optional(),
  deployRole: formatted(f.ROLE_NAME, "Role every provider of this account's stack assumes; default mlshare-deploy.").optional(),
  deployExternalId: formatted(f.EXTERNAL_ID, "External id passed when assuming the deploy role.").optional(),
  region: formatted(f.REGION, "Region of this account's resources; default: defaultRegion.").optional(),
  environment: formatted(f.ENVIRONMENT, "One of environments.").optional(),
  email: formatted(f.EMAIL, "Root e-mail; with name, lets the management stack manage the account.").optional(),
  name: z.string().min(1, { error: "must be 1-50 characters" }).max(50, { error: "must be 1-50 characters" }).optional().describe("Account name."),
  create: z.boolean().optional().describe("The management stack creates this account (needs email and name, no id)."),
  network: network.optional(),
  outsideOrganization: z
    .boolean()
    .optional()
    .describe("An account outside the organization: never deployed to, usable only as a RAM share principal."),
});

const datasetConsumer = z.strictObject({
  account: z.string().describe("Consumer account key."),
  access: z.enum(["read", "read-write"], { error: "must be read or read-write" }).optional(),
  via: z.enum(["bucket-policy", "assume-role"], { error: "must be bucket-policy or assume-role" }).optional(),
  roles: z
    .array(formatted(f.ROLE_NAME))
    .min(1, { error: "must name at least one role (sagemaker or an existing role name)" })
    .optional()
    .describe("sagemaker (the account's SageMaker user roles that list the dataset) or existing role names."),
});

const dataset = z.strictObject({
  name: formatted(f.SHARE_NAME, "Unique dataset name; the prefix <name>/ of the provider's data bucket."),
  account: z.string().describe("Provider account key."),
  classification: z
    .enum(["internal", "confidential", "restricted"], { error: "must be internal, confidential or restricted" })
    .optional(),
  consumers: list(datasetConsumer, "Accounts granted access."),
  existing: z
    .strictObject({
      bucket: formatted(EXISTING_BUCKET, "An existing bucket of the provider account, in its region; mlshare never creates, changes or deletes it."),
      prefix: formatted(DATA_PREFIX, "The dataset's prefix in it; default <name>/.").optional(),
      kmsKeyArn: formatted(KMS_KEY_ARN, "The existing key its objects use; absent: SSE-S3 (no KMS part).").optional(),
      policies: z
        .enum(["access-points", "adopt"], { error: "must be access-points or adopt" })
        .optional()
        .describe("access-points (default): the bucket and key policies stay the owner's; adopt: mlshare manages them, current statements kept."),
      currentPolicies: z
        .strictObject({
          bucket: z.string().min(1, { error: "must name a file" }).optional().describe("The bucket policy as it is today (JSON), relative to the topology file."),
          key: z.string().min(1, { error: "must name a file" }).optional().describe("The key policy as it is today (JSON); required with kmsKeyArn."),
        })
        .optional()
        .describe("With adopt: the policies as they are today, kept statement by statement."),
    })
    .optional()
    .describe("Data that already lives in a bucket mlshare does not create."),
});

const modelArtifactSet = z.strictObject({
  name: formatted(f.SHARE_NAME, "Unique model artifact set name."),
  account: z.string().describe("Owning account key; its SageMaker roles may write."),
  consumers: list(z.strictObject({ account: z.string() }), "Accounts that read the artifacts."),
});

// Exclusivity and non-empty lists of `columns` are rules (config/rules/tables.ts), so the
// error says which of the two to keep.
const table = z.strictObject({
  name: formatted(f.SHARE_NAME, "Unique table entry name."),
  account: z.string().describe("Provider account key: its Data Catalog holds the table."),
  database: formatted(GLUE_NAME, "An existing Glue database of the provider account."),
  table: formatted(GLUE_NAME, "An existing table of that database."),
  columns: z
    .strictObject({
      include: z.array(formatted(COLUMN_NAME)).optional().describe("The only columns shared."),
      exclude: z.array(formatted(COLUMN_NAME)).optional().describe("The columns withheld."),
    })
    .optional()
    .describe("Exactly one of include / exclude; absent: every column."),
  rowFilter: z.string().optional().describe("A PartiQL row filter expression; absent: every row."),
  consumers: list(
    z.strictObject({
      account: z.string().describe("Consumer account key."),
      roles: z
        .array(formatted(f.ROLE_NAME))
        .min(1, { error: "must name at least one role (sagemaker or an existing role name)" })
        .optional()
        .describe("sagemaker (the account's SageMaker user roles that list the table) or existing role names."),
    }),
    "Accounts granted SELECT on the table's shared columns and rows.",
  ),
});

const sagemakerUser = z.strictObject({
  name: formatted(f.SAGEMAKER_USER, "User profile name, unique in its domain."),
  datasets: list(z.string(), "Datasets this user reads."),
  modelArtifacts: list(z.string(), "Model artifact sets this user reads."),
  tables: list(z.string(), "Shared tables (names of tables entries) this user reads."),
});

const sagemakerDomain = z.strictObject({
  account: z.string().describe("Account key hosting the domain."),
  vpcId: formatted(f.VPC_ID),
  subnetIds: z.array(formatted(f.SUBNET_ID)).min(1, { error: "must list at least one subnet" }),
  users: list(sagemakerUser, "Studio users."),
});

const mlProject = z.strictObject({
  name: formatted(f.SAGEMAKER_PROJECT, "Unique project name."),
  serviceCatalogProductId: formatted(f.PRODUCT_ID),
  provisioningArtifactId: formatted(f.PROVISIONING_ARTIFACT_ID).optional(),
  accounts: z.record(z.string(), z.string()).describe("Environment -> account key."),
  modelPackageGroup: formatted(f.MODEL_PACKAGE_GROUP).optional(),
  modelArtifacts: z
    .string()
    .optional()
    .describe(
      "The modelArtifacts set holding this project's models (owned by the first environment's account, read by the later ones); default: a set <name>-project made for the project.",
    ),
});

const ramShare = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: "must be 1-100 characters of [A-Za-z0-9._-]" }),
  account: z.string().describe("Owning account key."),
  resources: z
    .array(z.strictObject({ arn: z.string().describe("ARN of a resource RAM can share.") }))
    .min(1, { error: "must list at least one resource" }),
  principals: z
    .array(
      z.string().regex(/^(organization|ou:.+|account:.+)$/, {
        error: "must be organization, ou:<OU name> or account:<account key>",
      }),
    )
    .min(1, { error: "must list at least one principal" }),
  allowExternalPrincipals: z.boolean().optional(),
});

const suppression = z.strictObject({
  rule: z.string().describe("Compliance rule id, e.g. S3_TLS_ONLY."),
  resource: z.string().describe("<stack>/<resource type>.<resource name>, as the finding prints it."),
  reason: z.string().min(10, { error: "must explain the exception in at least 10 characters" }),
});

const pipeline = z
  .strictObject({
    account: z.string().optional().describe("The hub account key holding the CI identities; default: the management account."),
    github: z
      .strictObject({
        repository: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, { error: "must be owner/name (GitHub owner and repository names)" })
          .describe("The GitHub repository whose workflows plan and apply, as owner/name."),
        applyRef: z
          .string()
          .regex(/^refs\/(heads|tags)\/[A-Za-z0-9._\/-]{1,200}$/, { error: "must be a full ref such as refs/heads/main" })
          .optional()
          .describe("The only ref whose runs may apply; default refs/heads/main."),
        environment: z
          .string()
          .regex(/^[A-Za-z0-9 ._-]{1,255}$/, { error: "must be a GitHub environment name: 1-255 characters of letters, digits, spaces and ._-" })
          .optional()
          .describe("Apply only from jobs of this GitHub environment."),
      })
      .optional()
      .describe("GitHub Actions through OIDC."),
    terraformCloud: z
      .strictObject({
        organization: formatted(f.TFC_NAME, "The Terraform Cloud organization whose workspaces plan and apply."),
        hostname: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, { error: "must be a host name such as app.terraform.io" })
          .optional()
          .describe("The Terraform Cloud / Enterprise host; default app.terraform.io."),
      })
      .optional()
      .describe("HCP Terraform dynamic credentials; needs state.backend: cloud."),
    planRole: formatted(f.ROLE_NAME, "Role name in every account for plans; default mlshare-plan.").optional(),
  })
  .describe("The identities that run Terraform, made by mlshare (plan and deploy roles in every account, CI roles in the hub).");

/** The whole topology file. */
export const topologySchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path of the JSON Schema, for editors."),
    version: z.literal(1, { error: "must be 1 (the only topology version)" }),
    project: formatted(f.PROJECT, "Naming prefix of every resource."),
    defaultRegion: formatted(f.REGION),
    tags,
    organization,
    state,
    accounts: z
      .record(z.string(), account)
      .refine((a) => Object.keys(a).length > 0, { error: "must define at least one account" }),
    environments: list(formatted(f.ENVIRONMENT), "Promotion order of environments."),
    datasets: list(dataset, "ML data shared from a provider account."),
    modelArtifacts: list(modelArtifactSet, "Model artifact buckets shared read-only."),
    tables: list(table, "Glue Data Catalog tables shared through Lake Formation, to the column and row."),
    sagemaker: z
      .strictObject({ domains: list(sagemakerDomain, "SageMaker Studio domains.") })
      .optional(),
    mlProjects: list(mlProject, "Multi-environment ML projects."),
    ramShares: list(ramShare, "AWS RAM resource shares."),
    compliance: z
      .strictObject({ suppressions: list(suppression, "Compliance findings accepted, each with a reason.") })
      .optional(),
    pipeline: pipeline.optional(),
  })
  .describe("mlshare topology, version 1");

/** A topology as written in the file, after shape validation. */
export type TopologyInput = z.infer<typeof topologySchema>;
/** One account entry as written. */
export type AccountInput = z.infer<typeof account>;
/** One dataset as written. */
export type DatasetInput = z.infer<typeof dataset>;
/** One dataset consumer as written. */
export type DatasetConsumerInput = z.infer<typeof datasetConsumer>;
