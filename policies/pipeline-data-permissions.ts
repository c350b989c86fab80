/**
 * What the deploy role and the plan role of an account may do to data mlshare does not create
 * (`pipeline` with `datasets[].existing` and `tables`): the bucket and key policies it adopts,
 * and the Lake Formation grants, data cells filters and resource links of shared tables.
 *
 * Each list of names (the adopted buckets and keys of the account, the Glue ARNs of its shared
 * tables and resource links) comes from the topology: literal ARNs in the management
 * account's own roles, a StackSet parameter of the member's stack instance otherwise. A part
 * is on only when the account has something in it, so a topology without existing data or
 * tables makes the same roles as before.
 *
 * Existing buckets in `access-points` mode need nothing here: mlshare only makes access
 * points on them, and `s3:CreateAccessPoint` authorizes on the access point ARN alone
 * (AWS's service authorization reference: resource type accesspoint, no condition key naming
 * the bucket), which the provider part already scopes to `<project>-*`.
 */
import { Account, Topology } from "../config/model";
import * as naming from "../config/naming";
import { tableAccesses } from "../config/table-grants";
import { Statement } from "./document";

/** The parts of this file, each on only where the account has its names. */
export const DATA_PARTS = ["adoptedBuckets", "adoptedKeys", "tableShares", "tableLinks"] as const;
/** A part of this file. */
export type DataPart = (typeof DATA_PARTS)[number];

/** The names an account's data parts apply to (ARNs, sorted, without repeats). */
export interface DataResources {
  /** Existing buckets of the account whose policy mlshare adopts (`policies: adopt`). */
  readonly adoptedBucketArns: readonly string[];
  /** Existing keys of the account whose policy mlshare adopts. */
  readonly adoptedKeyArns: readonly string[];
  /** The account's shared tables: its Data Catalog, and the database and table of each. */
  readonly tableShareArns: readonly string[];
  /**
   * The resource links the account makes: its Data Catalog, `database/<link>`, and what
   * Glue also authorizes a database's deletion on (`table/<link>/*`, `userDefinedFunction/<link>/*`).
   */
  readonly tableLinkArns: readonly string[];
  /** The providers' catalogs, databases and tables the account's links reach (its grants name them). */
  readonly sharedTableArns: readonly string[];
}

/** The StackSet parameter that carries each list to a member account's roles. */
export const DATA_LIST_PARAMETERS: Readonly<Record<keyof DataResources, string>> = {
  adoptedBucketArns: "AdoptedBucketArns",
  adoptedKeyArns: "AdoptedKeyArns",
  tableShareArns: "TableShareArns",
  tableLinkArns: "TableLinkArns",
  sharedTableArns: "SharedTableArns",
};

/** The lists each part needs: a part is on exactly when its first list is not empty. */
export const PART_LISTS: Readonly<Record<DataPart, readonly (keyof DataResources)[]>> = {
  adoptedBuckets: ["adoptedBucketArns"],
  adoptedKeys: ["adoptedKeyArns"],
  tableShares: ["tableShareArns"],
  tableLinks: ["tableLinkArns", "sharedTableArns"],
};

const list = (values: Iterable<string>) => [...new Set(values)].sort();

/** The existing data and table names of one account, from the topology. */
export function dataResources(topology: Topology, account: Account): DataResources {
  const buckets: string[] = [];
  const keys: string[] = [];
  for (const d of topology.datasets) {
    if (d.account !== account.key || d.existing?.policies !== "adopt") continue;
    buckets.push(naming.bucketArn(account.partition, d.existing.bucket));
    if (d.existing.kmsKeyArn) keys.push(d.existing.kmsKeyArn);
  }
  const shares: string[] = [];
  const links: string[] = [];
  const shared: string[] = [];
  for (const a of tableAccesses(topology)) {
    const p = a.provider;
    const providerArns = [
      naming.glueCatalogArn(p.partition, p.region, p.id),
      naming.glueDatabaseArn(p.partition, p.region, p.id, a.table.database),
      naming.glueTableArn(p.partition, p.region, p.id, a.table.database, a.table.table),
    ];
    if (p.key === account.key) shares.push(...providerArns);
    if (a.consumer.key === account.key) {
      const c = a.consumer;
      links.push(
        naming.glueCatalogArn(c.partition, c.region, c.id),
        naming.glueDatabaseArn(c.partition, c.region, c.id, a.linkName),
        `arn:${c.partition}:glue:${c.region}:${c.id}:table/${a.linkName}/*`,
        `arn:${c.partition}:glue:${c.region}:${c.id}:userDefinedFunction/${a.linkName}/*`,
      );
      shared.push(...providerArns);
    }
  }
  return { adoptedBucketArns: list(buckets), adoptedKeyArns: list(keys), tableShareArns: list(shares), tableLinkArns: list(links), sharedTableArns: list(shared) };
}

/** The data parts an account plays: those whose names it has. */
export function dataParts(resources: DataResources): DataPart[] {
  return DATA_PARTS.filter((part) => resources[PART_LISTS[part][0]].length > 0);
}

/** A statement of one of this file's parts. */
export interface DataPartStatement {
  readonly part: DataPart;
  readonly statement: Statement;
}

// What the AWS provider (5.100) reads when it refreshes or imports an aws_kms_key_policy:
// DescribeKey, GetKeyPolicy, GetKeyRotationStatus (keys of origin AWS_KMS) and ListResourceTags.
const KEY_POLICY_READS = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"];
// aws_s3_bucket_policy reads GetBucketPolicy; the status is what a reviewer checks beside it.
const BUCKET_POLICY_READS = ["s3:GetBucketPolicy", "s3:GetBucketPolicyStatus"];
// Lake Formation's grant, revoke and filter actions have no resource type: AWS takes only "*".
// Which tables they reach is Lake Formation's decision (the role's grantable permissions).
const LF_GRANTS = ["lakeformation:GrantPermissions", "lakeformation:RevokePermissions", "lakeformation:ListPermissions"];
const LF_FILTERS = ["lakeformation:CreateDataCellsFilter", "lakeformation:UpdateDataCellsFilter", "lakeformation:DeleteDataCellsFilter", "lakeformation:GetDataCellsFilter"];
// Granting on a named table or database needs glue:GetTable / glue:GetDatabase on it
// (Lake Formation, "IAM permissions required to grant or revoke Lake Formation permissions").
const GLUE_GRANT_READS = ["glue:GetDatabase", "glue:GetTable"];

/**
 * The deploy role's statements for existing data and tables, by part. `lists` names the
 * resource lists (literal ARNs, or the placeholders the StackSet template replaces).
 */
export function dataDeployStatements(lists: DataResources, partition: string): DataPartStatement[] {
  return [
    {
      // Adopt: the stack imports the bucket policy, rewrites it (current statements kept)
      // and, if the dataset leaves the topology, deletes it. Nothing else of the bucket.
      part: "adoptedBuckets",
      statement: {
        sid: "AdoptedBucketPolicies",
        effect: "Allow",
        actions: [...BUCKET_POLICY_READS, "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        resources: [...lists.adoptedBucketArns],
      },
    },
    { part: "adoptedKeys", statement: { sid: "ReadAdoptedKeys", effect: "Allow", actions: [...KEY_POLICY_READS], resources: [...lists.adoptedKeyArns] } },
    {
      // The key policy only (a deletion puts KMS's default policy back); never the lockout
      // bypass. IfExists: the AWS SDK leaves the parameter out when it is false.
      part: "adoptedKeys",
      statement: {
        sid: "AdoptedKeyPolicies",
        effect: "Allow",
        actions: ["kms:PutKeyPolicy"],
        resources: [...lists.adoptedKeyArns],
        conditions: { BoolIfExists: { "kms:BypassPolicyLockoutSafetyCheck": "false" } },
      },
    },
    { part: "tableShares", statement: { sid: "TableGrants", effect: "Allow", actions: [...LF_GRANTS], resources: ["*"] } },
    { part: "tableShares", statement: { sid: "TableFilters", effect: "Allow", actions: [...LF_FILTERS], resources: ["*"] } },
    { part: "tableShares", statement: { sid: "ReadSharedTables", effect: "Allow", actions: [...GLUE_GRANT_READS], resources: [...lists.tableShareArns] } },
    {
      // Cross-account grants (cross-account version 3 or 4) are RAM shares Lake Formation
      // makes as the grantor: AWSLakeFormationCrossAccountManager's RAM statements, scoped as
      // AWS scopes them (Glue tables and databases, shares named LakeFormation*). Not its
      // glue:PutResourcePolicy, which only version 1 grants use.
      part: "tableShares",
      statement: {
        sid: "LakeFormationCreateShares",
        effect: "Allow",
        actions: ["ram:CreateResourceShare"],
        resources: ["*"],
        conditions: { StringLikeIfExists: { "ram:RequestedResourceType": ["glue:Table", "glue:Database"] } },
      },
    },
    {
      part: "tableShares",
      statement: {
        sid: "LakeFormationManageShares",
        effect: "Allow",
        actions: ["ram:UpdateResourceShare", "ram:DeleteResourceShare", "ram:AssociateResourceShare", "ram:DisassociateResourceShare"],
        resources: ["*"],
        conditions: { StringLike: { "ram:ResourceShareName": ["LakeFormation*"] } },
      },
    },
    {
      part: "tableShares",
      statement: {
        sid: "LakeFormationSharePermissions",
        effect: "Allow",
        actions: ["ram:AssociateResourceSharePermission"],
        resources: ["*"],
        conditions: { ArnLike: { "ram:PermissionArn": [`arn:${partition}:ram::aws:permission/AWSRAMLFEnabled*`] } },
      },
    },
    {
      part: "tableShares",
      statement: {
        sid: "LakeFormationShareReads",
        effect: "Allow",
        actions: ["ram:Get*", "ram:List*", "organizations:DescribeOrganization", "organizations:DescribeAccount"],
        resources: ["*"],
      },
    },
    {
      // The resource links (aws_glue_catalog_database with target_database), and nothing else
      // of the catalog: GetTags because the provider reads the tags it set (default_tags).
      part: "tableLinks",
      statement: {
        sid: "ResourceLinks",
        effect: "Allow",
        actions: ["glue:CreateDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase", "glue:GetDatabase", "glue:GetTags"],
        resources: [...lists.tableLinkArns],
      },
    },
    { part: "tableLinks", statement: { sid: "LinkGrants", effect: "Allow", actions: [...LF_GRANTS], resources: ["*"] } },
    { part: "tableLinks", statement: { sid: "ReadLinkedTables", effect: "Allow", actions: [...GLUE_GRANT_READS], resources: [...lists.sharedTableArns] } },
  ];
}

/** The plan role's statements for existing data and tables: what a refresh reads, never data. */
export function dataPlanStatements(lists: DataResources): DataPartStatement[] {
  // The plan role's base statements read every key's policy already (ReadKeys), so adopted
  // keys need nothing more; decryption stays denied there.
  const neverTableData: Statement = { sid: "NeverTableData", effect: "Deny", actions: ["lakeformation:GetDataAccess"], resources: ["*"] };
  return [
    { part: "adoptedBuckets", statement: { sid: "ReadAdoptedBucketPolicies", effect: "Allow", actions: [...BUCKET_POLICY_READS], resources: [...lists.adoptedBucketArns] } },
    { part: "tableShares", statement: { sid: "ReadTableGrants", effect: "Allow", actions: ["lakeformation:ListPermissions", "lakeformation:GetDataCellsFilter"], resources: ["*"] } },
    { part: "tableShares", statement: { sid: "ReadSharedTables", effect: "Allow", actions: [...GLUE_GRANT_READS], resources: [...lists.tableShareArns] } },
    { part: "tableShares", statement: neverTableData },
    { part: "tableLinks", statement: { sid: "ReadLinkGrants", effect: "Allow", actions: ["lakeformation:ListPermissions"], resources: ["*"] } },
    { part: "tableLinks", statement: { sid: "ReadResourceLinks", effect: "Allow", actions: ["glue:GetDatabase", "glue:GetTags"], resources: [...lists.tableLinkArns] } },
    { part: "tableLinks", statement: { sid: "ReadLinkedTables", effect: "Allow", actions: [...GLUE_GRANT_READS], resources: [...lists.sharedTableArns] } },
    { part: "tableLinks", statement: neverTableData },
  ];
}
