/**
 * Who may read which shared table, as the topology declares it: `tables` turned into one
 * access per table and consumer account, with the roles it reaches. Provider and consumer
 * stacks (and the review) read these, so both sides of every Lake Formation grant name the
 * same filter, link and roles.
 */
import { RoleRef, sagemakerRolesOf } from "./grants";
import { Account, accountOf, Table, Topology } from "./model";
import * as naming from "./naming";

/** One consumer account's SELECT on one shared table. */
export interface TableAccess {
  readonly table: Table;
  readonly provider: Account;
  readonly consumer: Account;
  /** The consumer roles granted, resolved (`sagemaker` expanded); may be empty. */
  readonly roles: readonly RoleRef[];
  /** The data cells filter the grant is on; absent when the table is shared whole. */
  readonly filterName?: string;
  /** The resource link database in the consumer account, where its users find the table. */
  readonly linkName: string;
}

/** True when the table shares only some columns or rows (and so goes through a data cells filter). */
export function isRestricted(table: Table): boolean {
  return table.columns !== undefined || table.rowFilter !== undefined;
}

const cache = new WeakMap<Topology, readonly TableAccess[]>();

/** Every table grant of the topology, in topology order (computed once per topology). */
export function tableAccesses(topology: Topology): readonly TableAccess[] {
  const cached = cache.get(topology);
  if (cached) return cached;
  const out: TableAccess[] = [];
  for (const table of topology.tables) {
    const provider = accountOf(topology, table.account);
    for (const grant of table.consumers) {
      const consumer = accountOf(topology, grant.account);
      const roles: RoleRef[] = [];
      for (const r of grant.roles) {
        if (r === "sagemaker") roles.push(...sagemakerRolesOf(topology, consumer.key, (u) => u.tables.includes(table.name)));
        else roles.push({ account: consumer.key, roleName: r, roleArn: naming.roleArn(consumer.partition, consumer.id, r) });
      }
      out.push({
        table,
        provider,
        consumer,
        roles: roles.filter((r, i) => roles.findIndex((x) => x.roleArn === r.roleArn) === i),
        filterName: isRestricted(table) ? naming.tableFilterName(topology.project, table.name) : undefined,
        linkName: naming.tableLinkName(topology.project, provider.id, table.database),
      });
    }
  }
  cache.set(topology, out);
  return out;
}
