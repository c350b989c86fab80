/**
 * What sharing a table through Lake Formation grants, as named lists: the Lake Formation
 * permissions on each side, and the IAM side a query needs. Lake Formation decides which
 * columns and rows a role reads; IAM only lets the role ask (GetDataAccess) and read the
 * table's metadata, so the IAM side names the link and the one shared table, nothing wider.
 */
import { RoleRef } from "../config/grants";
import { Topology } from "../config/model";
import * as naming from "../config/naming";
import { TableAccess, tableAccesses } from "../config/table-grants";
import { Statement } from "./document";

/**
 * Lake Formation permissions the provider grants a consumer account, on the data cells filter
 * or the table, each with the grant option: a consumer account can use a cross-account grant
 * only by passing it on to its roles.
 */
export const TABLE_SHARE_PERMISSIONS = ["DESCRIBE", "SELECT"] as const;

/** Lake Formation permissions a consumer role gets on the resource link (seeing it, not dropping it). */
export const LINK_PERMISSIONS = ["DESCRIBE"] as const;

/** Lake Formation permissions a consumer role gets on the shared table or filter. */
export const ROLE_TABLE_PERMISSIONS = ["SELECT"] as const;

/** The only Lake Formation permissions mlshare ever grants across accounts (what the compliance rule admits). */
export const CROSS_ACCOUNT_TABLE_PERMISSIONS: readonly string[] = TABLE_SHARE_PERMISSIONS;

/**
 * The credentials Lake Formation vends for the table's data. The action has no resource type
 * (AWS's service authorization reference), so its Resource is `*`: which data the credentials
 * reach is Lake Formation's decision, on the grants above.
 */
export const LF_DATA_ACCESS = ["lakeformation:GetDataAccess"] as const;

/** Reading a table's metadata: what Athena, Spark and Data Wrangler call before a query. */
export const GLUE_READ_TABLE = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"] as const;

/** The Glue ARNs a role reads for one access: the link and its table, the provider's database and table, and both catalogs. */
export function glueResourcesOf(a: TableAccess): string[] {
  const c = a.consumer;
  const p = a.provider;
  return [
    naming.glueCatalogArn(c.partition, c.region, c.id),
    naming.glueDatabaseArn(c.partition, c.region, c.id, a.linkName),
    naming.glueTableArn(c.partition, c.region, c.id, a.linkName, a.table.table),
    naming.glueCatalogArn(p.partition, p.region, p.id),
    naming.glueDatabaseArn(p.partition, p.region, p.id, a.table.database),
    naming.glueTableArn(p.partition, p.region, p.id, a.table.database, a.table.table),
  ];
}

/** A role of an account and the IAM statements its table grants need. */
export interface TableRoleStatements {
  readonly role: RoleRef;
  readonly statements: readonly Statement[];
  /** The table entries the role reads. */
  readonly tables: readonly string[];
}

/** Per role of the account granted a table, the IAM side of its grants (one statement for the data, one for the metadata). */
export function tableRoleStatementsOf(topology: Topology, accountKey: string): TableRoleStatements[] {
  const byRole = new Map<string, { role: RoleRef; resources: Set<string>; tables: string[] }>();
  for (const a of tableAccesses(topology)) {
    if (a.consumer.key !== accountKey) continue;
    for (const role of a.roles) {
      let entry = byRole.get(role.roleArn);
      if (!entry) byRole.set(role.roleArn, (entry = { role, resources: new Set(), tables: [] }));
      for (const r of glueResourcesOf(a)) entry.resources.add(r);
      entry.tables.push(a.table.name);
    }
  }
  return [...byRole.values()].map(({ role, resources, tables }) => ({
    role,
    tables,
    statements: [
      { sid: "LakeFormationDataAccess", effect: "Allow", actions: [...LF_DATA_ACCESS], resources: ["*"] },
      { sid: "ReadSharedTableMetadata", effect: "Allow", actions: [...GLUE_READ_TABLE], resources: [...resources].sort() },
    ],
  }));
}
