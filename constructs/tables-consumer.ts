import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LakeformationPermissions } from "@cdktf/provider-aws/lib/lakeformation-permissions";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, Topology } from "../config/model";
import * as naming from "../config/naming";
import { tableAccesses } from "../config/table-grants";
import { documentOf, packStatements } from "../policies/pack";
import { policySize, QUOTAS } from "../policies/quotas";
import { LINK_PERMISSIONS, ROLE_TABLE_PERMISSIONS, tableRoleStatementsOf } from "../policies/tables";
import { optional } from "./outputs";

/** Props of {@link TableAccessGrants}. */
export interface TableAccessGrantsProps {
  readonly topology: Topology;
  /** The consumer account. */
  readonly account: Account;
  /** The provider the link, the grants and the policies are made with. */
  readonly provider: AwsProvider;
  /**
   * How to name a role in `role` attributes: roles this stack makes pass a reference, so the
   * policy waits for the role. @default the role's name (the role already exists)
   */
  readonly roleName?: (name: string) => string;
  /**
   * How to name a role as a Lake Formation principal: roles this stack makes pass a reference
   * to their ARN, so the grant waits for the role. @default the role's ARN as computed
   */
  readonly roleArn?: (name: string) => string | undefined;
  /** Characters of the role's inline-policy quota other inline policies of this project use. @default 0 */
  readonly inlineUsed?: (name: string) => number;
}

/**
 * The consumer side of shared tables in one account: a resource link per shared provider
 * database; DESCRIBE on the link and SELECT on the shared table or filter (in the provider's
 * catalog) to exactly the declared roles; and for those roles the IAM side of a query
 * (`lakeformation:GetDataAccess`, Glue reads of the link and the shared table) as one inline
 * policy. Roles that are not declared get nothing.
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-permissions.html
 */
export class TableAccessGrants extends Construct {
  /** Per role name, the characters its table policy takes of the role's inline-policy quota. */
  readonly inlineUsed = new Map<string, number>();

  constructor(scope: Construct, id: string, props: TableAccessGrantsProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    const nameOf = props.roleName ?? ((n: string) => n);
    const accesses = tableAccesses(topology).filter((a) => a.consumer.key === account.key);
    const links = new Map<string, GlueCatalogDatabase>();
    const linkGrants = new Set<string>();
    const shared: Record<string, unknown> = {};
    for (const a of accesses) {
      let link = links.get(a.linkName);
      if (!link) {
        link = new GlueCatalogDatabase(this, `Link-${a.linkName}`, {
          provider,
          name: a.linkName,
          description: `mlshare: resource link to database ${a.table.database} of ${a.provider.key} (${a.provider.id})`,
          targetDatabase: { catalogId: a.provider.id, databaseName: a.table.database },
        });
        links.set(a.linkName, link);
      }
      const here = new Construct(this, a.table.name);
      for (const role of a.roles) {
        const principal = props.roleArn?.(role.roleName) ?? role.roleArn;
        if (!linkGrants.has(`${a.linkName} ${role.roleArn}`)) {
          linkGrants.add(`${a.linkName} ${role.roleArn}`);
          new LakeformationPermissions(this, `Describe-${a.linkName}-${role.roleName}`, {
            provider,
            principal,
            permissions: [...LINK_PERMISSIONS],
            database: { catalogId: account.id, name: link.name },
          });
        }
        new LakeformationPermissions(here, `Select-${role.roleName}`, {
          provider,
          principal,
          permissions: [...ROLE_TABLE_PERMISSIONS],
          ...(a.filterName
            ? { dataCellsFilter: { tableCatalogId: a.provider.id, databaseName: a.table.database, tableName: a.table.table, name: a.filterName } }
            : { table: { catalogId: a.provider.id, databaseName: a.table.database, name: a.table.table } }),
        });
      }
      const columns = a.table.columns;
      shared[a.table.name] = {
        provider: a.provider.key,
        database: a.linkName,
        table: a.table.table,
        query: `SELECT * FROM "${a.linkName}"."${a.table.table}" LIMIT 10`,
        roles: a.roles.map((r) => r.roleArn),
        ...optional("includedColumns", columns && "include" in columns ? [...columns.include] : undefined),
        ...optional("excludedColumns", columns && "exclude" in columns ? [...columns.exclude] : undefined),
        ...optional("rowFilter", a.table.rowFilter),
      };
    }

    for (const { role, statements } of tableRoleStatementsOf(topology, account.key)) {
      const label = `table grants policy of role ${role.roleName} in ${account.key}`;
      // One inline policy: a role reads a handful of tables, and the data grants' policy
      // (RoleGrants) takes what this one leaves of the role's inline quota.
      const [doc] = packStatements(statements, {
        quota: "role-inline",
        capacities: [QUOTAS["role-inline"].limit - (props.inlineUsed?.(role.roleName) ?? 0)],
        maxDocuments: 1,
        name: label,
      });
      const policy = documentOf(label, "identity", doc).toString();
      this.inlineUsed.set(role.roleName, policySize("role-inline", policy));
      new IamRolePolicy(this, `Policy-${role.roleName}`, {
        provider,
        name: naming.tablesInlinePolicyName(topology.project),
        role: nameOf(role.roleName),
        policy,
      });
    }

    if (Object.keys(shared).length) {
      new TerraformOutput(this, "tables", {
        staticId: true,
        description: "Tables this account reads through Lake Formation: per table, the resource link database and the table name to query",
        value: shared,
      });
    }
  }
}
