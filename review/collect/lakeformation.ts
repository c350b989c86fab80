/**
 * Lake Formation table grants: Lake Formation is not IAM, so the review lists them as it
 * lists RAM shares, each with the principal, the permissions and what they reach (a table,
 * a data cells filter with its columns and rows, or a resource link).
 */
import { asReference, isObject, Json, list, StackContext } from "./stack";

/** A data cells filter: which columns and rows of a table a grant on it reaches. */
export interface CollectedTableFilter {
  readonly catalogId: string;
  readonly database: string;
  readonly table: string;
  readonly name: string;
  /** The only columns shared; absent with `excludedColumns` (every column but those). */
  readonly columns?: readonly string[];
  readonly excludedColumns?: readonly string[];
  /** The PartiQL row filter; absent: every row. */
  readonly rowFilter?: string;
}

/** One Lake Formation grant as a stack makes it. */
export interface CollectedTableGrant {
  readonly stack: string;
  /** The account whose Lake Formation holds the grant (the stack's). */
  readonly accountId: string;
  readonly address: string;
  /** An account id or a role ARN, resolved. */
  readonly principal: string;
  readonly permissions: readonly string[];
  readonly grantable: readonly string[];
  /** What the grant is on. */
  readonly on:
    | { readonly kind: "table"; readonly catalogId: string; readonly database: string; readonly table: string }
    | { readonly kind: "filter"; readonly filter: CollectedTableFilter }
    | { readonly kind: "database"; readonly catalogId: string; readonly database: string }
    | { readonly kind: "other"; readonly blocks: readonly string[] };
}

const first = (v: unknown): Json | undefined => {
  const b = Array.isArray(v) ? v[0] : v;
  return isObject(b) ? b : undefined;
};
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");

/** The filters a stack defines, by catalog/database/table/name. */
function filtersOf(ctx: StackContext): Map<string, CollectedTableFilter> {
  const out = new Map<string, CollectedTableFilter>();
  for (const [, config] of ctx.each("aws_lakeformation_data_cells_filter")) {
    const d = first(config.table_data);
    if (!d) continue;
    const wildcard = first(d.column_wildcard);
    const row = first(d.row_filter);
    const f: CollectedTableFilter = {
      catalogId: String(d.table_catalog_id ?? ""),
      database: String(d.database_name),
      table: String(d.table_name),
      name: String(d.name),
      ...(d.column_names !== undefined ? { columns: strings(d.column_names) } : {}),
      ...(wildcard ? { excludedColumns: strings(wildcard.excluded_column_names) } : {}),
      ...(typeof row?.filter_expression === "string" ? { rowFilter: row.filter_expression } : {}),
    };
    out.set(`${f.catalogId}/${f.database}/${f.table}/${f.name}`, f);
  }
  return out;
}

/**
 * The stack's Lake Formation grants. A filter made by another stack (a consumer's grant on
 * the provider's filter) is known here by name only; {@link withFilterDefinitions} completes it.
 */
export function collectTableGrants(ctx: StackContext): CollectedTableGrant[] {
  const filters = filtersOf(ctx);
  const links = new Map(ctx.each("aws_glue_catalog_database").map(([id, config]) => [id, String(config.name)]));
  const out: CollectedTableGrant[] = [];
  for (const [, config, address] of ctx.each("aws_lakeformation_permissions")) {
    const w = ctx.where(config);
    const principal = ctx.str(config.principal, address, "principal");
    if (!principal) continue;
    const table = first(config.table);
    const filter = first(config.data_cells_filter);
    const database = first(config.database);
    let on: CollectedTableGrant["on"];
    if (filter) {
      const key = `${filter.table_catalog_id}/${filter.database_name}/${filter.table_name}/${filter.name}`;
      on = { kind: "filter", filter: filters.get(key) ?? { catalogId: String(filter.table_catalog_id), database: String(filter.database_name), table: String(filter.table_name), name: String(filter.name) } };
    } else if (table && typeof table.name === "string") {
      on = { kind: "table", catalogId: String(table.catalog_id ?? w.accountId), database: String(table.database_name), table: table.name };
    } else if (database) {
      // A resource link this stack makes is named by reference; its name is in its own config.
      const ref = asReference(database.name);
      const name = ref?.type === "aws_glue_catalog_database" ? links.get(ref.id) : ctx.str(database.name, address, "database.name");
      on = { kind: "database", catalogId: String(database.catalog_id ?? w.accountId), database: name ?? String(database.name) };
    } else {
      on = { kind: "other", blocks: ["catalog_resource", "data_location", "lf_tag", "lf_tag_policy", "table_with_columns"].filter((b) => config[b] !== undefined) };
    }
    out.push({ stack: ctx.stack, accountId: w.accountId, address, principal, permissions: strings(config.permissions), grantable: strings(config.permissions_with_grant_option), on });
  }
  return out;
}

/** Grants of every stack with each filter's columns and rows filled in from the stack that defines it. */
export function withFilterDefinitions(grants: readonly CollectedTableGrant[]): CollectedTableGrant[] {
  const defined = new Map<string, CollectedTableFilter>();
  for (const g of grants) if (g.on.kind === "filter" && (g.on.filter.columns || g.on.filter.excludedColumns)) defined.set(keyOf(g.on.filter), g.on.filter);
  return grants.map((g) => (g.on.kind === "filter" && defined.has(keyOf(g.on.filter)) ? { ...g, on: { kind: "filter", filter: defined.get(keyOf(g.on.filter))! } } : g));
}

function keyOf(f: CollectedTableFilter): string {
  return `${f.catalogId}/${f.database}/${f.table}/${f.name}`;
}

/** One line per grant, as the review prints it: "ml-prod churn-scorer: SELECT on customers-safe (no email, phone; country = 'DE')". */
export function describeTableGrant(g: CollectedTableGrant): string {
  const who = /:role\/(.+)$/.exec(g.principal)?.[1] ?? `account ${g.principal}`;
  const perms = g.permissions.join(", ") + (g.grantable.length ? ` (grantable: ${g.grantable.join(", ")})` : "");
  const on = g.on;
  if (on.kind === "filter") {
    const f = on.filter;
    const cols = f.columns ? `only ${f.columns.join(", ")}` : f.excludedColumns?.length ? `no ${f.excludedColumns.join(", ")}` : "every column";
    return `${g.stack} ${who}: ${perms} on ${f.database}.${f.table} of ${f.catalogId} through ${f.name} (${cols}; ${f.rowFilter ?? "every row"})`;
  }
  if (on.kind === "table") return `${g.stack} ${who}: ${perms} on ${on.database}.${on.table} of ${on.catalogId} (every column; every row)`;
  if (on.kind === "database") return `${g.stack} ${who}: ${perms} on database ${on.database} of ${on.catalogId}`;
  return `${g.stack} ${who}: ${perms} on ${on.blocks.join(", ") || "an unknown resource"}`;
}
