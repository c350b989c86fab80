import { LakeformationDataCellsFilter } from "@cdktf/provider-aws/lib/lakeformation-data-cells-filter";
import { LakeformationPermissions } from "@cdktf/provider-aws/lib/lakeformation-permissions";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, Table, Topology } from "../config/model";
import * as naming from "../config/naming";
import { isRestricted, tableAccesses } from "../config/table-grants";
import { TABLE_SHARE_PERMISSIONS } from "../policies/tables";
import { optional } from "./outputs";

/** Props of {@link TableShares}. */
export interface TableSharesProps {
  readonly topology: Topology;
  /** The provider account: its Data Catalog holds the tables. */
  readonly account: Account;
  /** The provider (deploy role of this account) the grants are made with. */
  readonly provider: AwsProvider;
}

/** The data cells filter's columns: the named ones, or every one but the excluded. */
function columnsOf(table: Table): { columnNames: string[] } | { columnWildcard: { excludedColumnNames: string[] }[] } {
  const c = table.columns;
  if (c && "include" in c) return { columnNames: [...c.include] };
  return { columnWildcard: [{ excludedColumnNames: c && "exclude" in c ? [...c.exclude] : [] }] };
}

/**
 * The provider side of shared tables: for each table of this account with consumers, a data
 * cells filter when columns or rows are restricted, and per consumer account a Lake
 * Formation grant of SELECT and DESCRIBE, grantable, on the filter (or on the table when
 * nothing is restricted). Nothing else: no database, table or Lake Formation setting is made
 * or changed, and no other permission is granted.
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/granting-filter-perms.html
 */
export class TableShares extends Construct {
  constructor(scope: Construct, id: string, props: TableSharesProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    const shares: Record<string, unknown> = {};
    for (const table of topology.tables) {
      if (table.account !== account.key) continue;
      const accesses = tableAccesses(topology).filter((a) => a.table === table);
      if (!accesses.length) continue;
      const here = new Construct(this, table.name);
      const filterName = isRestricted(table) ? naming.tableFilterName(topology.project, table.name) : undefined;
      const filter = filterName
        ? new LakeformationDataCellsFilter(here, "Filter", {
            provider,
            tableData: [
              {
                tableCatalogId: account.id,
                databaseName: table.database,
                tableName: table.table,
                name: filterName,
                ...columnsOf(table),
                rowFilter: [table.rowFilter !== undefined ? { filterExpression: table.rowFilter } : { allRowsWildcard: [{}] }],
              },
            ],
          })
        : undefined;
      for (const a of accesses) {
        new LakeformationPermissions(here, `Grant-${a.consumer.key}`, {
          provider,
          principal: a.consumer.id,
          permissions: [...TABLE_SHARE_PERMISSIONS],
          permissionsWithGrantOption: [...TABLE_SHARE_PERMISSIONS],
          ...(filter && filterName
            ? {
                dataCellsFilter: { tableCatalogId: account.id, databaseName: table.database, tableName: table.table, name: filterName },
                dependsOn: [filter],
              }
            : { table: { catalogId: account.id, databaseName: table.database, name: table.table } }),
        });
      }
      shares[table.name] = {
        database: table.database,
        table: table.table,
        consumers: Object.fromEntries(accesses.map((a) => [a.consumer.key, a.consumer.id])),
        ...optional("filter", filterName),
        ...optional("includedColumns", table.columns && "include" in table.columns ? [...table.columns.include] : undefined),
        ...optional("excludedColumns", table.columns && "exclude" in table.columns ? [...table.columns.exclude] : undefined),
        ...optional("rowFilter", table.rowFilter),
      };
    }
    if (Object.keys(shares).length) {
      new TerraformOutput(this, "table_shares", {
        staticId: true,
        description: "Tables this account shares through Lake Formation: per table, the consumer accounts and the data cells filter",
        value: shares,
      });
    }
  }
}
